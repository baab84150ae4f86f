// Placeholder until the fixture API server lands (issue 7): exits with a usage error.
#include <cstdio>
int main() {
  std::fputs("kspm_fixture_apiserver: not built yet\n", stderr);
  return 2;
}
