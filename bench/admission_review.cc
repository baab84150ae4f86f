// Admission decision benchmark (not a unit test): Controller::review over one AdmissionReview
// body, many times, on one thread: the webhook's per-request work without HTTP or TLS.
//
// Usage: admission_review REVIEW.json [ITERATIONS]   (bench/gen_admission_review.py writes one)
// Prints p50/p99/p99.9/max of the per-review time and the decision of the first review.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kspm/admission.h"
#include "kspm/catalog.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: admission_review REVIEW.json [ITERATIONS]\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string body = ss.str();
  const int iterations = argc > 2 ? std::atoi(argv[2]) : 200000;
  kspm::admission::Controller controller(kspm::Catalog::builtin(), kspm::ScanPolicy{}, kspm::admission::AdmissionPolicy{},
                                         nullptr);
  kspm::admission::Outcome first = controller.review(body);
  std::printf("decision: %s, %u findings, response %zu bytes\n",
              std::string(kspm::admission::decisionName(first.decision)).c_str(), first.findings, first.body.size());
  std::vector<double> micros;
  micros.reserve(iterations);
  for (int i = 0; i < iterations; ++i) {
    auto start = std::chrono::steady_clock::now();
    kspm::admission::Outcome o = controller.review(body);
    auto end = std::chrono::steady_clock::now();
    micros.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    if (o.body.empty()) return 1;
  }
  std::sort(micros.begin(), micros.end());
  auto at = [&](double q) { return micros[std::min(micros.size() - 1, static_cast<size_t>(q * micros.size()))]; };
  std::printf("%d reviews of %zu bytes: p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us\n", iterations,
              body.size(), at(0.5), at(0.99), at(0.999), micros.back());
  return 0;
}
