// libFuzzer target over the whole admission request path: Controller::review decodes the body
// (RapidJSON into kspm's trees, limits), validates the AdmissionReview, picks the namespace's
// policy, compares object and oldObject, runs the checks and writes the response. Besides the
// sanitizers (address, undefined) it checks the contract: a 200 is a valid AdmissionReview
// response (strict JSON, valid UTF-8) echoing request.uid with warnings bounded; a 400 is a one-line
// message. Build and run: fuzz/run.sh (docs/admission.md).
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "kspm/admission.h"
#include "kspm/config.h"

namespace {

using kspm::admission::Controller;
using kspm::admission::Outcome;

// Every feature of the policy, so the fuzzer can reach each branch: namespace rules by name and by
// labels, audit and warn modes, other Pod Security levels and versions, exemptions, exceptions.
constexpr const char* kConfig = R"(checks:
  parameters:
    allowed-registries: [registry.example.com]
exceptions:
- checks: ["container-*"]
  objects: [{kind: Pod, namespace: "excepted*"}]
  reason: fuzzing
admission:
  mode: enforce
  enforceSeverity: high
  exempt: {namespaces: [kube-system], users: [admin], groups: ["system:masters"]}
  maxWarnings: 3
  namespaces:
  - match: {names: ["dev-*"]}
    mode: warn
    podSecurity: {level: baseline, version: v1.20}
  - match: {matchLabels: {env: audit}}
    mode: audit
  - match: {matchExpressions: [{key: team, operator: In, values: [a]}]}
    podSecurity: {level: privileged}
    enforceSeverity: critical
)";

class Labels : public kspm::admission::NamespaceLabels {
 public:
  std::optional<std::map<std::string, std::string>> labels(std::string_view name) const override {
    if (name == "shop") return std::map<std::string, std::string>{{"env", "audit"}};
    if (name == "team-a") return std::map<std::string, std::string>{{"team", "a"}};
    return std::nullopt;
  }
};

[[noreturn]] void fail(const char* what, const Outcome& outcome) {
  std::fprintf(stderr, "admission_fuzz: %s\nstatus %d body: %s\n", what, outcome.http_status, outcome.body.c_str());
  std::abort();
}

const Controller& controller() {
  static const Labels labels;
  static const Controller* instance = [] {
    std::vector<kspm::ConfigError> errors;
    kspm::Config config = kspm::parseConfig("fuzz.kspm.yaml", kConfig, kspm::Catalog::builtin(), &errors);
    if (!errors.empty()) {
      std::fprintf(stderr, "%s\n", kspm::describeConfigError(errors[0]).c_str());
      std::abort();
    }
    kspm::ScanPolicy scan;
    kspm::applyConfig(config, &scan);
    kspm::admission::ControllerOptions options;
    options.max_body_bytes = 1u << 20;
    options.limits.max_depth = 64;
    return new Controller(kspm::Catalog::builtin(), std::move(scan), *config.admission, &labels, options);
  }();
  return *instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Controller& c = controller();
  Outcome outcome = c.review(std::string_view(reinterpret_cast<const char*>(data), size));
  if (outcome.http_status == 400) {
    if (outcome.decision != Outcome::Decision::kMalformed) fail("400 without kMalformed", outcome);
    if (outcome.body.empty() || outcome.body.find('\n') != outcome.body.size() - 1) fail("400 body is not one line", outcome);
    return 0;
  }
  if (outcome.http_status != 200) fail("status neither 200 nor 400", outcome);
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(outcome.body.c_str(), outcome.body.size());
  if (doc.HasParseError()) fail(rapidjson::GetParseError_En(doc.GetParseError()), outcome);
  if (!doc.IsObject() || !doc.HasMember("response") || !doc["response"].IsObject()) fail("no response", outcome);
  const rapidjson::Value& response = doc["response"];
  if (!response.HasMember("uid") || !response["uid"].IsString() || !response.HasMember("allowed") ||
      !response["allowed"].IsBool()) {
    fail("response without uid or allowed", outcome);
  }
  if (outcome.uid.empty()) fail("empty uid", outcome);
  bool allowed = response["allowed"].GetBool();
  if (allowed != (outcome.decision != Outcome::Decision::kDenied)) fail("allowed disagrees with the decision", outcome);
  if (!allowed) {
    if (!response.HasMember("status") || !response["status"]["message"].IsString() ||
        response["status"]["message"].GetStringLength() > 2048 || response["status"]["code"].GetInt() != 403) {
      fail("denied without a bounded message and 403", outcome);
    }
  }
  if (response.HasMember("warnings") && response["warnings"].Size() > c.policy().max_warnings + 1) {
    fail("too many warnings", outcome);
  }
  return 0;
}
