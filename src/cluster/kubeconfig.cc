#include "kspm/kubeconfig.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "cluster/files.h"
#include "kspm/loader.h"

namespace kspm {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kExecV1 = "client.authentication.k8s.io/v1";
constexpr std::string_view kExecV1beta1 = "client.authentication.k8s.io/v1beta1";
constexpr std::string_view kExecV1alpha1 = "client.authentication.k8s.io/v1alpha1";

InputError configError(const std::string& file, uint32_t line, std::string message) {
  return InputError{ErrorCode::kConfig, file, line, std::move(message)};
}


/** Go's base64.StdEncoding as encoding/json uses it: padded, '\r' and '\n' ignored. */
bool decodeBase64(std::string_view in, std::string* out) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string clean;
  clean.reserve(in.size());
  for (char c : in) {
    if (c != '\r' && c != '\n') clean.push_back(c);
  }
  if (clean.size() % 4 != 0) return false;
  out->clear();
  for (size_t i = 0; i < clean.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int j = 0; j < 4; ++j) {
      char c = clean[i + j];
      if (c == '=') {
        // Padding only at the end of the last quantum, at positions 2-3.
        if (i + 4 != clean.size() || j < 2) return false;
        ++pad;
        v[j] = 0;
        continue;
      }
      if (pad > 0) return false;
      v[j] = value(c);
      if (v[j] < 0) return false;
    }
    uint32_t n = (uint32_t(v[0]) << 18) | (uint32_t(v[1]) << 12) | (uint32_t(v[2]) << 6) | uint32_t(v[3]);
    out->push_back(static_cast<char>((n >> 16) & 0xFF));
    if (pad < 2) out->push_back(static_cast<char>((n >> 8) & 0xFF));
    if (pad < 1) out->push_back(static_cast<char>(n & 0xFF));
    // Go rejects non-zero trailing bits only in Strict mode; StdEncoding accepts them.
  }
  return true;
}

std::string typeName(const Node& node) {
  // Never the value itself: the field may hold a secret.
  switch (node.type()) {
    case NodeType::kNull: return "null";
    case NodeType::kBool: return "a boolean";
    case NodeType::kInt:
    case NodeType::kFloat: return "a number";
    case NodeType::kString: return "a string";
    case NodeType::kArray: return "a list";
    case NodeType::kObject: return "a mapping";
  }
  return "a value";
}

std::string resolvePath(const fs::path& dir, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  return (dir / path).lexically_normal().string();
}

/** One cluster / user / context as the first file naming it wrote it. */
struct Entry {
  std::string file;
  uint32_t line = 0;
  const Node* body = nullptr;  // the `cluster:` / `user:` / `context:` mapping (may be null)
  ClusterInfo cluster;
  UserInfo user;
  std::string context_cluster, context_user, context_namespace;
};

struct LoadedFile {
  std::string path;
  std::unique_ptr<std::string> buffer;
  std::vector<Document> documents;
};

class Loader {
 public:
  std::optional<InputError> loadFile(const std::string& path) {
    auto file = std::make_unique<LoadedFile>();
    file->path = path;
    file->buffer = std::make_unique<std::string>();
    if (!cluster::readWholeFile(path, file->buffer.get())) return configError(path, 0, "cannot read kubeconfig file");
    LoadResult loaded = loadBuffer(path, *file->buffer);
    if (!loaded.errors.empty()) {
      InputError e = loaded.errors.front();
      e.code = ErrorCode::kConfig;
      e.message = "not a valid kubeconfig: " + e.message;
      return e;
    }
    file->documents = std::move(loaded.documents);
    sources_.push_back(path);
    std::error_code ec;
    fs::path dir = fs::absolute(fs::path(path), ec).parent_path();
    if (ec) dir = fs::path(path).parent_path();
    const LoadedFile& f = *file;
    files_.push_back(std::move(file));
    if (f.documents.empty()) return std::nullopt;  // empty file: an empty config, as client-go
    const Node* root = f.documents.front().root();
    if (root == nullptr || root->isNull()) return std::nullopt;
    if (!root->isObject()) return configError(path, root->line(), "a kubeconfig must be a mapping, found " + typeName(*root));
    for (auto [key, kind] : {std::pair<std::string_view, int>{"clusters", 0}, {"users", 1}, {"contexts", 2}}) {
      const Node* list = root->get(key);
      if (list == nullptr || list->isNull()) continue;
      if (!list->isArray()) return configError(path, list->line(), std::string(key) + ": expected a list, found " + typeName(*list));
      std::set<std::string> seen;
      for (const Node& item : list->items()) {
        if (!item.isObject()) return configError(path, item.line(), std::string(key) + ": expected a mapping with name, found " + typeName(item));
        const Node* name = item.get("name");
        if (name == nullptr || !name->isString() || name->str().empty()) {
          return configError(path, item.line(), std::string(key) + ": an entry needs a non-empty string `name`");
        }
        std::string n(name->str());
        if (!seen.insert(n).second) {
          return configError(path, name->line(), std::string(key) + ": duplicate name \"" + n + "\" in this file");
        }
        Entry e;
        e.file = path;
        e.line = item.line();
        std::string_view body_key = kind == 0 ? "cluster" : kind == 1 ? "user" : "context";
        e.body = item.get(body_key);
        if (e.body != nullptr && !e.body->isNull() && !e.body->isObject()) {
          return configError(path, e.body->line(), std::string(key) + "[" + n + "]." + std::string(body_key) + ": expected a mapping, found " + typeName(*e.body));
        }
        if (e.body != nullptr && e.body->isNull()) e.body = nullptr;
        std::optional<InputError> err;
        if (kind == 0) err = parseCluster(path, dir, n, e);
        if (kind == 1) err = parseUser(path, dir, n, e);
        if (kind == 2) err = parseContext(path, n, e);
        if (err) return err;
        auto& map = kind == 0 ? clusters_ : kind == 1 ? users_ : contexts_;
        map.emplace(n, std::move(e));  // first file wins: emplace keeps an existing entry
      }
    }
    if (const Node* cc = root->get("current-context"); cc != nullptr && !cc->isNull()) {
      if (!cc->isString()) return configError(path, cc->line(), "current-context: expected a string, found " + typeName(*cc));
      if (current_context_.empty() && !cc->str().empty()) {
        current_context_ = std::string(cc->str());
        current_context_file_ = path;
        current_context_line_ = cc->line();
      }
    }
    return std::nullopt;
  }

  Result<ResolvedConfig> resolve(const KubeconfigOptions& options) const {
    ResolvedConfig out;
    out.source = joinSources();
    std::string context_name = options.context.empty() ? current_context_ : options.context;
    const Entry* context = nullptr;
    if (context_name.empty()) {
      if (options.cluster.empty()) {
        return configError(out.source, 0, "no current-context is set and no --context was given" + contextList());
      }
    } else {
      auto it = contexts_.find(context_name);
      if (it == contexts_.end()) {
        std::string where = options.context.empty() ? "current-context names" : "--context names";
        return configError(options.context.empty() ? current_context_file_ : out.source,
                           options.context.empty() ? current_context_line_ : 0,
                           where + " context \"" + context_name + "\", which no kubeconfig file defines" + contextList());
      }
      context = &it->second;
    }
    out.context_name = context_name;
    if (context != nullptr) out.namespace_ = context->context_namespace;

    std::string cluster_name = !options.cluster.empty() ? options.cluster : context->context_cluster;
    if (cluster_name.empty()) {
      return configError(context->file, context->line, "context \"" + context_name + "\" names no cluster");
    }
    auto cl = clusters_.find(cluster_name);
    if (cl == clusters_.end()) {
      std::string by = !options.cluster.empty() ? "--cluster" : "context \"" + context_name + "\"";
      return configError(!options.cluster.empty() ? out.source : context->file, !options.cluster.empty() ? 0 : lineOf(*context, "cluster"),
                         by + " names cluster \"" + cluster_name + "\", which no kubeconfig file defines" + nameList("clusters", clusters_));
    }
    if (auto err = validateCluster(cl->second)) return *err;
    out.cluster = cl->second.cluster;

    std::string user_name = !options.user.empty() ? options.user : (context != nullptr ? context->context_user : "");
    if (!user_name.empty()) {
      auto us = users_.find(user_name);
      if (us == users_.end()) {
        std::string by = !options.user.empty() ? "--user" : "context \"" + context_name + "\"";
        return configError(!options.user.empty() ? out.source : context->file, !options.user.empty() ? 0 : lineOf(*context, "user"),
                           by + " names user \"" + user_name + "\", which no kubeconfig file defines" + nameList("users", users_));
      }
      if (auto err = validateUser(us->second)) return *err;
      out.user = us->second.user;
    }
    return out;
  }

  std::string joinSources() const {
    std::string s;
    for (const std::string& p : sources_) s += (s.empty() ? "" : ":") + p;
    return s;
  }

 private:
  static std::optional<InputError> getString(const std::string& file, const Node* body, std::string_view key,
                                             const std::string& where, std::string* out) {
    if (body == nullptr) return std::nullopt;
    const Node* v = body->get(key);
    if (v == nullptr || v->isNull()) return std::nullopt;
    if (!v->isString()) return configError(file, v->line(), where + "." + std::string(key) + ": expected a string, found " + typeName(*v));
    *out = std::string(v->str());
    return std::nullopt;
  }

  static std::optional<InputError> getBool(const std::string& file, const Node* body, std::string_view key,
                                           const std::string& where, bool* out) {
    if (body == nullptr) return std::nullopt;
    const Node* v = body->get(key);
    if (v == nullptr || v->isNull()) return std::nullopt;
    if (!v->isBool()) return configError(file, v->line(), where + "." + std::string(key) + ": expected true or false, found " + typeName(*v));
    *out = v->boolean();
    return std::nullopt;
  }

  static std::optional<InputError> getData(const std::string& file, const Node* body, std::string_view key,
                                           const std::string& where, std::string* out) {
    std::string raw;
    if (auto e = getString(file, body, key, where, &raw)) return e;
    if (raw.empty()) return std::nullopt;
    if (!decodeBase64(raw, out)) {
      return configError(file, body->get(key)->line(), where + "." + std::string(key) + ": not valid base64 (the value must be the base64 encoding of the PEM file)");
    }
    return std::nullopt;
  }

  static std::optional<InputError> parseCluster(const std::string& file, const fs::path& dir, const std::string& name, Entry& e) {
    ClusterInfo& c = e.cluster;
    c.name = name;
    std::string where = "clusters[" + name + "].cluster";
    const Node* b = e.body;
    if (auto x = getString(file, b, "server", where, &c.server)) return x;
    if (auto x = getString(file, b, "certificate-authority", where, &c.certificate_authority)) return x;
    c.certificate_authority = resolvePath(dir, c.certificate_authority);
    if (auto x = getData(file, b, "certificate-authority-data", where, &c.certificate_authority_data)) return x;
    if (auto x = getString(file, b, "tls-server-name", where, &c.tls_server_name)) return x;
    if (auto x = getString(file, b, "proxy-url", where, &c.proxy_url)) return x;
    if (auto x = getBool(file, b, "insecure-skip-tls-verify", where, &c.insecure_skip_tls_verify)) return x;
    return std::nullopt;
  }

  static std::optional<InputError> parseUser(const std::string& file, const fs::path& dir, const std::string& name, Entry& e) {
    UserInfo& u = e.user;
    u.name = name;
    std::string where = "users[" + name + "].user";
    const Node* b = e.body;
    if (auto x = getString(file, b, "token", where, &u.token)) return x;
    if (auto x = getString(file, b, "tokenFile", where, &u.token_file)) return x;
    u.token_file = resolvePath(dir, u.token_file);
    if (auto x = getString(file, b, "client-certificate", where, &u.client_certificate)) return x;
    u.client_certificate = resolvePath(dir, u.client_certificate);
    if (auto x = getData(file, b, "client-certificate-data", where, &u.client_certificate_data)) return x;
    if (auto x = getString(file, b, "client-key", where, &u.client_key)) return x;
    u.client_key = resolvePath(dir, u.client_key);
    if (auto x = getData(file, b, "client-key-data", where, &u.client_key_data)) return x;
    if (auto x = getString(file, b, "username", where, &u.username)) return x;
    if (auto x = getString(file, b, "password", where, &u.password)) return x;
    if (auto x = getString(file, b, "as", where, &u.impersonate)) return x;
    if (b != nullptr) {
      if (const Node* g = b->get("as-groups"); g != nullptr && !g->isNull()) {
        if (!g->isArray()) return configError(file, g->line(), where + ".as-groups: expected a list of strings, found " + typeName(*g));
        for (const Node& item : g->items()) {
          if (!item.isString()) return configError(file, item.line(), where + ".as-groups: expected a string, found " + typeName(item));
          u.impersonate_groups.emplace_back(item.str());
        }
      }
      if (const Node* ex = b->get("exec"); ex != nullptr && !ex->isNull()) {
        if (!ex->isObject()) return configError(file, ex->line(), where + ".exec: expected a mapping, found " + typeName(*ex));
        ExecConfig c;
        std::string w = where + ".exec";
        if (auto x = getString(file, ex, "apiVersion", w, &c.api_version)) return x;
        if (auto x = getString(file, ex, "command", w, &c.command)) return x;
        if (c.command.find('/') != std::string::npos) c.command = resolvePath(dir, c.command);
        if (auto x = getString(file, ex, "interactiveMode", w, &c.interactive_mode)) return x;
        if (auto x = getString(file, ex, "installHint", w, &c.install_hint)) return x;
        if (auto x = getBool(file, ex, "provideClusterInfo", w, &c.provide_cluster_info)) return x;
        if (const Node* args = ex->get("args"); args != nullptr && !args->isNull()) {
          if (!args->isArray()) return configError(file, args->line(), w + ".args: expected a list of strings, found " + typeName(*args));
          for (const Node& a : args->items()) {
            if (!a.isString()) return configError(file, a.line(), w + ".args: expected a string, found " + typeName(a));
            c.args.emplace_back(a.str());
          }
        }
        if (const Node* env = ex->get("env"); env != nullptr && !env->isNull()) {
          if (!env->isArray()) return configError(file, env->line(), w + ".env: expected a list of {name, value}, found " + typeName(*env));
          for (const Node& item : env->items()) {
            if (!item.isObject()) return configError(file, item.line(), w + ".env: expected {name, value}, found " + typeName(item));
            std::string n, v;
            if (auto x = getString(file, &item, "name", w + ".env[]", &n)) return x;
            if (auto x = getString(file, &item, "value", w + ".env[]", &v)) return x;
            if (n.empty()) return configError(file, item.line(), w + ".env: an entry needs a name");
            c.env.emplace_back(std::move(n), std::move(v));
          }
        }
        u.exec = std::move(c);
      }
    }
    return std::nullopt;
  }

  static std::optional<InputError> parseContext(const std::string& file, const std::string& name, Entry& e) {
    std::string where = "contexts[" + name + "].context";
    if (auto x = getString(file, e.body, "cluster", where, &e.context_cluster)) return x;
    if (auto x = getString(file, e.body, "user", where, &e.context_user)) return x;
    if (auto x = getString(file, e.body, "namespace", where, &e.context_namespace)) return x;
    return std::nullopt;
  }

  static uint32_t lineOf(const Entry& e, std::string_view key) {
    if (e.body != nullptr) {
      if (const Node* v = e.body->get(key)) return v->line();
    }
    return e.line;
  }

  static std::optional<InputError> validateCluster(const Entry& e) {
    const ClusterInfo& c = e.cluster;
    std::string who = "cluster \"" + c.name + "\"";
    if (c.server.empty()) return configError(e.file, e.line, who + " has no server");
    if (!c.certificate_authority.empty() && !c.certificate_authority_data.empty()) {
      return configError(e.file, lineOf(e, "certificate-authority"),
                         who + " sets both certificate-authority and certificate-authority-data; keep one");
    }
    if (c.insecure_skip_tls_verify && (!c.certificate_authority.empty() || !c.certificate_authority_data.empty())) {
      return configError(e.file, lineOf(e, "insecure-skip-tls-verify"),
                         who + ": specifying a root certificate authority with insecure-skip-tls-verify is not allowed (kubectl rejects it too)");
    }
    return std::nullopt;
  }

  static std::optional<InputError> validateUser(const Entry& e) {
    const UserInfo& u = e.user;
    std::string who = "user \"" + u.name + "\"";
    if (e.body != nullptr) {
      if (const Node* ap = e.body->get("auth-provider"); ap != nullptr && !ap->isNull()) {
        std::string provider;
        if (const Node* n = ap->get("name"); n != nullptr && n->isString()) provider = std::string(n->str());
        std::string hint;
        if (provider == "gcp") {
          hint = "the gcp auth-provider was removed from kubectl and client-go in Kubernetes 1.26: install gke-gcloud-auth-plugin "
                 "and run `gcloud container clusters get-credentials` to rewrite this user as an exec plugin";
        } else if (provider == "azure") {
          hint = "the azure auth-provider was removed from kubectl and client-go in Kubernetes 1.26: install kubelogin and run "
                 "`kubelogin convert-kubeconfig` to rewrite this user as an exec plugin";
        } else {
          hint = "auth-provider plugins (\"" + provider + "\") are not supported; use an exec credential plugin instead "
                 "(gke-gcloud-auth-plugin for GKE, kubelogin for AKS and OIDC)";
        }
        return configError(e.file, ap->line(), who + ": " + hint);
      }
    }
    bool token = !u.token.empty() || !u.token_file.empty();
    bool basic = !u.username.empty() || !u.password.empty();
    if (token && basic) {
      return configError(e.file, e.line, who + " has more than one authentication method (token, basic auth); only one is allowed");
    }
    bool cert = !u.client_certificate.empty() || !u.client_certificate_data.empty();
    bool key = !u.client_key.empty() || !u.client_key_data.empty();
    if (!u.client_certificate.empty() && !u.client_certificate_data.empty()) {
      return configError(e.file, lineOf(e, "client-certificate"), who + " sets both client-certificate and client-certificate-data; keep one");
    }
    if (!u.client_key.empty() && !u.client_key_data.empty()) {
      return configError(e.file, lineOf(e, "client-key"), who + " sets both client-key and client-key-data; keep one");
    }
    if (cert && !key) return configError(e.file, lineOf(e, "client-certificate"), who + " has a client certificate but no client-key(-data)");
    if (key && !cert) return configError(e.file, lineOf(e, "client-key"), who + " has a client key but no client-certificate(-data)");
    if (u.exec) {
      const ExecConfig& x = *u.exec;
      const Node* ex = e.body->get("exec");
      auto at = [&](std::string_view k) {
        const Node* v = ex->get(k);
        return v != nullptr ? v->line() : ex->line();
      };
      if (x.api_version == kExecV1alpha1) {
        return configError(e.file, at("apiVersion"), who + ": exec plugin apiVersion " + std::string(kExecV1alpha1) +
                                                         " is no longer supported (removed in Kubernetes 1.24); use " +
                                                         std::string(kExecV1beta1) + " or " + std::string(kExecV1) +
                                                         " (update the plugin and regenerate this kubeconfig)");
      }
      if (x.api_version != kExecV1 && x.api_version != kExecV1beta1) {
        return configError(e.file, at("apiVersion"), who + ": exec plugin apiVersion must be " + std::string(kExecV1) + " or " +
                                                         std::string(kExecV1beta1) +
                                                         (x.api_version.empty() ? " (it is missing)" : ", not \"" + x.api_version + "\""));
      }
      if (x.command.empty()) return configError(e.file, ex->line(), who + ": exec plugin has no command");
      if (x.interactive_mode.empty()) {
        if (x.api_version == kExecV1) {
          return configError(e.file, ex->line(), who + ": exec plugin with apiVersion " + std::string(kExecV1) +
                                                     " requires interactiveMode (Never, IfAvailable or Always)");
        }
      } else if (x.interactive_mode != "Never" && x.interactive_mode != "IfAvailable" && x.interactive_mode != "Always") {
        return configError(e.file, at("interactiveMode"), who + ": exec interactiveMode must be Never, IfAvailable or Always");
      }
    }
    return std::nullopt;
  }

  template <typename Map>
  static std::string nameList(std::string_view what, const Map& map) {
    if (map.empty()) return std::string("; no ") + std::string(what) + " are defined";
    std::string s = std::string(" (") + std::string(what) + ": ";
    bool first = true;
    for (const auto& [name, entry] : map) {
      s += (first ? "" : ", ") + name;
      first = false;
    }
    return s + ")";
  }
  std::string contextList() const { return nameList("contexts", contexts_); }

  std::vector<std::unique_ptr<LoadedFile>> files_;
  std::vector<std::string> sources_;
  std::map<std::string, Entry> clusters_, users_, contexts_;
  std::string current_context_, current_context_file_;
  uint32_t current_context_line_ = 0;
};

std::vector<std::string> splitList(const std::string& value) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  size_t start = 0;
  while (start <= value.size()) {
    size_t end = value.find(':', start);
    if (end == std::string::npos) end = value.size();
    std::string item = value.substr(start, end - start);
    if (!item.empty() && seen.insert(item).second) out.push_back(item);
    start = end + 1;
  }
  return out;
}

}  // namespace

Result<ResolvedConfig> loadKubeconfig(const KubeconfigOptions& options) {
  Loader loader;
  std::error_code ec;
  if (!options.explicit_path.empty()) {
    if (!fs::exists(options.explicit_path, ec)) {
      return configError(options.explicit_path, 0, "kubeconfig file given with --kubeconfig does not exist");
    }
    if (auto e = loader.loadFile(options.explicit_path)) return *e;
  } else if (!options.kubeconfig_env.empty()) {
    std::vector<std::string> files = splitList(options.kubeconfig_env);
    bool any = false;
    for (const std::string& f : files) {
      if (!fs::exists(f, ec)) continue;  // kubectl skips missing KUBECONFIG entries
      any = true;
      if (auto e = loader.loadFile(f)) return *e;
    }
    if (!any) {
      return configError("KUBECONFIG", 0, "none of the files in KUBECONFIG exists: " + options.kubeconfig_env);
    }
  } else {
    if (options.home_dir.empty()) {
      return configError("", 0, "no kubeconfig: pass --kubeconfig, set KUBECONFIG, or create ~/.kube/config");
    }
    std::string path = (fs::path(options.home_dir) / ".kube" / "config").string();
    if (!fs::exists(path, ec)) {
      return configError(path, 0, "no kubeconfig: this file does not exist and neither --kubeconfig nor KUBECONFIG is set");
    }
    if (auto e = loader.loadFile(path)) return *e;
  }
  Result<ResolvedConfig> r = loader.resolve(options);
  // ExecConfig: v1beta1 defaults interactiveMode to IfAvailable (client-go's defaulting).
  if (r.ok() && r.value().user.exec && r.value().user.exec->interactive_mode.empty()) {
    r.value().user.exec->interactive_mode = "IfAvailable";
  }
  return r;
}

Result<ResolvedConfig> inClusterConfig(const InClusterEnv& env) {
  if (env.service_host.empty() || env.service_port.empty()) {
    return configError("", 0, "unable to load in-cluster configuration: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined");
  }
  std::string token;
  if (!cluster::readWholeFile(env.token_file, &token)) {
    return configError(env.token_file, 0, "in-cluster configuration: cannot read the service account token");
  }
  bool blank = true;
  for (char c : token) {
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') blank = false;
  }
  if (blank) return configError(env.token_file, 0, "in-cluster configuration: the service account token file is empty");
  ResolvedConfig out;
  out.source = "in-cluster";
  std::string host = env.service_host;
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";  // net.JoinHostPort
  out.cluster.server = "https://" + host + ":" + env.service_port;
  std::error_code ec;
  if (fs::exists(env.ca_file, ec)) out.cluster.certificate_authority = env.ca_file;  // client-go logs and goes on without it
  out.user.token_file = env.token_file;
  if (!env.pod_namespace.empty()) {
    out.namespace_ = env.pod_namespace;
  } else {
    std::string ns;
    if (cluster::readWholeFile(env.namespace_file, &ns)) {
      while (!ns.empty() && (ns.back() == '\n' || ns.back() == '\r' || ns.back() == ' ')) ns.pop_back();
      out.namespace_ = ns;
    }
    if (out.namespace_.empty()) out.namespace_ = "default";
  }
  return out;
}

std::string describeResolvedConfig(const ResolvedConfig& c) {
  auto secret = [](const std::string& s) { return s.empty() ? std::string("<none>") : std::string("<redacted>"); };
  auto data = [](const std::string& s) { return s.empty() ? std::string("<none>") : "<" + std::to_string(s.size()) + " bytes>"; };
  std::string o;
  o += "source: " + c.source + "\n";
  o += "context: " + c.context_name + "\n";
  o += "namespace: " + c.namespace_ + "\n";
  o += "cluster: " + c.cluster.name + "\n";
  o += "  server: " + c.cluster.server + "\n";
  o += "  certificate-authority: " + c.cluster.certificate_authority + "\n";
  o += "  certificate-authority-data: " + data(c.cluster.certificate_authority_data) + "\n";
  o += "  tls-server-name: " + c.cluster.tls_server_name + "\n";
  o += "  proxy-url: " + c.cluster.proxy_url + "\n";
  o += std::string("  insecure-skip-tls-verify: ") + (c.cluster.insecure_skip_tls_verify ? "true" : "false") + "\n";
  const UserInfo& u = c.user;
  o += "user: " + u.name + "\n";
  o += "  token: " + secret(u.token) + "\n";
  o += "  tokenFile: " + u.token_file + "\n";
  o += "  client-certificate: " + u.client_certificate + "\n";
  o += "  client-certificate-data: " + data(u.client_certificate_data) + "\n";
  o += "  client-key: " + u.client_key + "\n";
  o += "  client-key-data: " + secret(u.client_key_data) + "\n";
  o += "  username: " + u.username + "\n";
  o += "  password: " + secret(u.password) + "\n";
  o += "  as: " + u.impersonate + "\n";
  std::string groups;
  for (const std::string& g : u.impersonate_groups) groups += (groups.empty() ? "" : ",") + g;
  o += "  as-groups: " + groups + "\n";
  if (u.exec) {
    const ExecConfig& x = *u.exec;
    // Arguments can carry secrets (--token=..., or a value after its flag): flag names are shown,
    // every value is redacted.
    o += "  exec: " + x.api_version + " " + x.command;
    for (const std::string& a : x.args) {
      if (a.size() > 1 && a[0] == '-') {
        size_t eq = a.find('=');
        o += " " + (eq == std::string::npos ? a : a.substr(0, eq) + "=<redacted>");
      } else {
        o += " <arg>";
      }
    }
    o += "\n    env:";
    for (const auto& [name, value] : x.env) o += " " + name + "=" + secret(value);
    o += "\n    interactiveMode: " + x.interactive_mode + "\n";
    o += std::string("    provideClusterInfo: ") + (x.provide_cluster_info ? "true" : "false") + "\n";
  }
  return o;
}

}  // namespace kspm
