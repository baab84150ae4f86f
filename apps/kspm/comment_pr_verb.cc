// kspm comment-pr: SARIF results as GitHub pull request review comments. docs/routing.md.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "kspm/cli.h"
#include "kspm/cli_common.h"
#include "kspm/route_verbs.h"
#include "kspm/routing.h"

namespace kspm::cli {
namespace {

constexpr const char* kCommentPrHelp =
    "Usage: kspm comment-pr --sarif FILE --repo OWNER/NAME --pr N [--api-url URL]\n"
    "                       [--routes FILE --route NAME]\n"
    "                       [--token-env VAR] [--commit SHA] [--max-comments N] [--path-prefix P]\n"
    "\n"
    "Posts the results of a SARIF report from `kspm scan -o sarif` as one review (event COMMENT) on a\n"
    "GitHub pull request: a comment on each result on a line the pull request adds or changes; the\n"
    "others are counted and listed in the review body. Comments carry a hidden marker with the\n"
    "finding's fingerprint, so a result already commented is not posted again, and no review is\n"
    "posted when there is nothing new.\n"
    "\n"
    "Flags:\n"
    "      --sarif FILE       the SARIF report (URIs relative to the repository root)\n"
    "      --repo OWNER/NAME  the repository\n"
    "      --pr N             the pull request number\n"
    "      --api-url URL      the API (default $GITHUB_API_URL, else https://api.github.com;\n"
    "                         GitHub Enterprise: https://HOST/api/v3)\n"
    "      --token-env VAR    the environment variable holding the token (default GITHUB_TOKEN)\n"
    "      --commit SHA       the commit the review is on (default: the pull request's head)\n"
    "      --max-comments N   inline comments per review (default 50)\n"
    "      --path-prefix P    stripped from SARIF URIs to make them relative to the repository\n"
    "      --ca-file FILE     CA bundle for a GitHub Enterprise server with a private CA\n"
    "      --routes FILE --route NAME   take the API URL, repository, token (tokenEnv/tokenFile)\n"
    "                         and CA from a github route of a routes file; flags win\n"
    "      --dry-run          read the pull request; print the review instead of posting it\n"
    "  -o, --output FORMAT    table (default) or json\n"
    "  -h, --help             this help\n"
    "\n"
    "Exit codes: 0 posted (or nothing new); 2 usage error; 3 the SARIF file could not be read or\n"
    "the API failed after retries (nothing was posted).\n";

}  // namespace

int runCommentPr(int argc, char** argv) {
  Args args(argc, argv, 2);
  std::string value, error, sarif, token_env, output = "table", routes_file, route_name;
  routing::PullRequestOptions options;
  options.api_url.clear();
  while (!args.done()) {
    if (args.boolFlag({"-h", "--help"})) {
      std::fputs(kCommentPrHelp, stdout);
      return kExitOk;
    }
    if (args.boolFlag({"--dry-run"})) {
      options.dry_run = true;
    } else if (args.flag({"--sarif"}, &value, &error)) {
      sarif = value;
    } else if (args.flag({"--repo"}, &value, &error)) {
      options.repo = value;
      size_t slash = value.find('/');
      if (error.empty() && (slash == std::string::npos || slash == 0 || slash + 1 == value.size() ||
                            value.find('/', slash + 1) != std::string::npos || value.find_first_of("?#% ") != std::string::npos)) {
        error = "--repo takes OWNER/NAME";
      }
    } else if (args.flag({"--pr"}, &value, &error)) {
      if (error.empty() && !parseCount(value, 1000000000, &options.pr)) error = "--pr takes a pull request number";
    } else if (args.flag({"--api-url"}, &value, &error)) {
      options.api_url = value;
      if (error.empty() && !value.starts_with("https://") && !value.starts_with("http://")) error = "--api-url takes an http(s) URL";
    } else if (args.flag({"--token-env"}, &value, &error)) {
      token_env = value;
    } else if (args.flag({"--commit"}, &value, &error)) {
      options.commit = value;
    } else if (args.flag({"--max-comments"}, &value, &error)) {
      uint64_t n = 0;
      if (error.empty() && !parseCount(value, 1000, &n)) error = "--max-comments takes a number from 1 to 1000";
      options.max_comments = static_cast<uint32_t>(n);
    } else if (args.flag({"--path-prefix"}, &value, &error)) {
      options.path_prefix = value;
    } else if (args.flag({"--ca-file"}, &value, &error)) {
      options.ca_file = value;
    } else if (args.flag({"-o", "--output"}, &value, &error)) {
      output = value;
      if (error.empty() && output != "table" && output != "json") error = "-o takes table or json";
    } else if (args.flag({"--routes"}, &value, &error)) {
      routes_file = value;
    } else if (args.flag({"--route"}, &value, &error)) {
      route_name = value;
    } else if (args.peek() == "--token" || args.peek().starts_with("--token=")) {
      // Never echoed: the value would end up in CI logs.
      return usageError("comment-pr", "tokens are not taken on the command line: set an environment variable and name it with --token-env");
    } else {
      return usageError("comment-pr", "unexpected argument " + args.peek());
    }
    if (!error.empty()) return usageError("comment-pr", error);
  }
  if (sarif.empty() || options.pr == 0) return usageError("comment-pr", "--sarif and --pr are required");
  // A github route of a routes file gives the API URL, repository, token and CA; flags win.
  const routing::Route* route = nullptr;
  routing::RoutesConfig config;
  if (routes_file.empty() != route_name.empty()) return usageError("comment-pr", "--routes and --route go together");
  if (!routes_file.empty()) {
    if (!loadRoutesForVerb("comment-pr", routes_file, &config)) return kExitUsage;
    for (const routing::Route& r : config.routes) {
      if (r.name == route_name) route = &r;
    }
    if (route == nullptr || route->type != routing::RouteType::kGithub) {
      return usageError("comment-pr", "--route " + route_name + ": no github route of that name in " + routes_file);
    }
    if (options.api_url.empty()) options.api_url = route->url;
    if (options.repo.empty()) options.repo = route->repo;
    if (options.ca_file.empty()) options.ca_file = route->ca_file;
  }
  if (options.api_url.empty()) options.api_url = env("GITHUB_API_URL");
  if (options.api_url.empty()) options.api_url = "https://api.github.com";
  if (options.repo.empty()) return usageError("comment-pr", "--repo is required");
  if (token_env.empty() && route != nullptr && route->token.given()) {
    Result<std::string> token = routing::readSecret(route->token, "token");
    if (!token.ok()) return usageError("comment-pr", "routes." + route->name + "." + token.error().message);
    options.token = token.value();
  } else {
    if (token_env.empty()) token_env = "GITHUB_TOKEN";
    options.token = env(token_env.c_str());
    if (options.token.empty() && !options.dry_run) {
      return usageError("comment-pr", "environment variable " + token_env + " (--token-env) holds no token");
    }
  }
  std::string text;
  if (!readWholeFile(sarif, &text)) {
    std::fprintf(stderr, "kspm comment-pr: %s: cannot read the SARIF file\n", sarif.c_str());
    return kExitInputErrors;
  }
  if (text.size() > (512u << 20)) {
    std::fprintf(stderr, "kspm comment-pr: %s: larger than 512 MiB: not a kspm SARIF report\n", sarif.c_str());
    return kExitInputErrors;
  }
  Result<routing::PullRequestReport> report = routing::commentOnPullRequest(sarif, text, options);
  if (!report.ok()) {
    std::fprintf(stderr, "kspm comment-pr: %s\n", describeInputError(report.error()).c_str());
    return kExitInputErrors;
  }
  const routing::PullRequestReport& r = report.value();
  if (output == "json") {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("schemaVersion");
    w.Int(1);
    w.Key("results");
    w.Uint64(r.results);
    w.Key("posted");
    w.Uint64(r.posted);
    w.Key("alreadyPosted");
    w.Uint64(r.already_posted);
    w.Key("outsideDiff");
    w.Uint64(r.outside_diff);
    w.Key("overLimit");
    w.Uint64(r.over_limit);
    w.Key("reviewPosted");
    w.Bool(r.review_posted);
    w.Key("reviewBody");
    w.String(r.review_body);
    w.Key("comments");
    w.StartArray();
    for (const std::string& c : r.comments_json) w.RawValue(c.c_str(), c.size(), rapidjson::kObjectType);
    w.EndArray();
    w.EndObject();
    std::printf("%s\n", buf.GetString());
  } else {
    std::printf("%s review on %s#%llu: %llu comment%s; %llu already on the pull request, %llu outside the diff, %llu over the limit\n",
                r.review_posted ? "posted a" : options.dry_run ? "would post a" : "no", options.repo.c_str(),
                static_cast<unsigned long long>(options.pr), static_cast<unsigned long long>(r.comments_json.size()),
                r.comments_json.size() == 1 ? "" : "s", static_cast<unsigned long long>(r.already_posted),
                static_cast<unsigned long long>(r.outside_diff), static_cast<unsigned long long>(r.over_limit));
    if (options.dry_run) std::printf("\n%s\n", r.review_body.c_str());
  }
  return kExitOk;
}

}  // namespace kspm::cli
