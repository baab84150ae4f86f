#include "cluster/exec_credential.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <thread>

namespace kspm::cluster {
namespace {

using std::chrono::steady_clock;

InputError authError(const std::string& file, std::string message) {
  return InputError{ErrorCode::kClusterAuth, file, 0, std::move(message)};
}

std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  out.append(s);
  out.push_back('"');
  return out;
}

bool digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

/** An executable regular file. */
bool executable(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::string envValue(const std::vector<std::string>& env, std::string_view name) {
  for (const std::string& e : env) {
    if (e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=') {
      return e.substr(name.size() + 1);
    }
  }
  return "";
}

/** exec.LookPath: a command with '/' is used as is; otherwise the first executable in PATH. */
std::optional<std::string> lookPath(const std::string& command, const std::vector<std::string>& env) {
  if (command.empty()) return std::nullopt;
  if (command.find('/') != std::string::npos) {
    if (executable(command)) return command;
    return std::nullopt;
  }
  std::string path = envValue(env, "PATH");
  if (path.empty()) path = "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (dir.empty()) dir.assign(1, '.');  // an empty PATH entry is the current directory
    std::string candidate = dir + "/" + command;
    if (executable(candidate)) return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

/** Environment: `base`, then `overrides` (later entries replace earlier ones of the same name). */
std::vector<std::string> mergeEnvironment(const std::vector<std::string>& base,
                                          const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> out;
  std::map<std::string, size_t> index;
  auto put = [&](std::string name, std::string entry) {
    auto it = index.find(name);
    if (it != index.end()) {
      out[it->second] = std::move(entry);
    } else {
      index.emplace(std::move(name), out.size());
      out.push_back(std::move(entry));
    }
  };
  for (const std::string& e : base) {
    size_t eq = e.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    put(e.substr(0, eq), e);
  }
  for (const auto& [name, value] : overrides) put(name, name + "=" + value);
  return out;
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd = -1) : fd_(fd) {}
  ~FileDescriptor() { reset(); }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

/**
 * Waits for `pid` until `deadline`; kills it (SIGKILL; its whole process group when `own_group`)
 * then. Returns the wait status, or -1 when killed.
 */
int waitOrKill(pid_t pid, bool own_group, steady_clock::time_point deadline) {
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 && errno != EINTR) return status;
    if (steady_clock::now() >= deadline) {
      ::kill(own_group ? -pid : pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

bool execCredentialFresh(const ExecCredential& credential, std::chrono::system_clock::time_point now,
                         std::chrono::seconds margin) {
  return !credential.expiration || now + margin < *credential.expiration;
}

std::optional<std::chrono::system_clock::time_point> parseRfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  int year, month, day, hour, minute, second;
  if (!digits(s, 0, 4, &year) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, &month) || s[7] != '-' ||
      !digits(s, 8, 2, &day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, &hour) ||
      s[13] != ':' || !digits(s, 14, 2, &minute) || s[16] != ':' || !digits(s, 17, 2, &second)) {
    return std::nullopt;
  }
  size_t pos = 19;
  std::chrono::nanoseconds fraction{0};
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    int64_t scale = 100'000'000;
    int64_t ns = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      ns += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
    fraction = std::chrono::nanoseconds(ns);
  }
  if (pos >= s.size()) return std::nullopt;
  std::chrono::minutes offset{0};
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (!digits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !digits(s, pos + 4, 2, &om) ||
        oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset = std::chrono::hours(oh) + std::chrono::minutes(om);
    if (s[pos] == '-') offset = -offset;
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(unsigned(month)),
                                  std::chrono::day(unsigned(day))};
  if (!ymd.ok()) return std::nullopt;
  auto t = std::chrono::sys_days(ymd) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
           std::chrono::seconds(second) + fraction - offset;
  return std::chrono::time_point_cast<std::chrono::system_clock::duration>(t);
}

std::string execInfoJson(const ExecConfig& exec, const ClusterInfo& cluster, std::string_view ca_pem,
                         bool interactive) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("apiVersion");
  w.String(exec.api_version);
  w.Key("kind");
  w.String("ExecCredential");
  w.Key("spec");
  w.StartObject();
  if (exec.provide_cluster_info) {
    w.Key("cluster");
    w.StartObject();
    w.Key("server");
    w.String(cluster.server);
    if (!cluster.tls_server_name.empty()) {
      w.Key("tls-server-name");
      w.String(cluster.tls_server_name);
    }
    if (cluster.insecure_skip_tls_verify) {
      w.Key("insecure-skip-tls-verify");
      w.Bool(true);
    }
    if (!ca_pem.empty()) {
      w.Key("certificate-authority-data");
      w.String(encodeBase64(ca_pem));
    }
    if (!cluster.proxy_url.empty()) {
      w.Key("proxy-url");
      w.String(cluster.proxy_url);
    }
    w.EndObject();
  }
  w.Key("interactive");
  w.Bool(interactive);
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

Result<ExecCredential> parseExecCredential(std::string_view output, std::string_view api_version,
                                           std::string_view command, const std::string& error_file) {
  const std::string who = "exec plugin " + quoted(command);
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag>(output.data(), output.size());
  if (doc.HasParseError()) {
    return authError(error_file, who + " did not print an ExecCredential (its output is not JSON)");
  }
  if (!doc.IsObject()) return authError(error_file, who + " did not print an ExecCredential (not a JSON object)");
  auto str = [](const rapidjson::Value& obj, const char* key) -> std::optional<std::string_view> {
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || !it->value.IsString()) return std::nullopt;
    return std::string_view(it->value.GetString(), it->value.GetStringLength());
  };
  auto kind = str(doc, "kind");
  if (!kind || *kind != "ExecCredential") {
    return authError(error_file, who + " printed an object whose kind is not ExecCredential");
  }
  auto version = str(doc, "apiVersion");
  if (!version || *version != api_version) {
    return authError(error_file, who + " printed an ExecCredential of apiVersion " +
                                     quoted(version ? *version : "") + ", expected " + quoted(api_version) +
                                     " as the kubeconfig's exec apiVersion says");
  }
  auto status = doc.FindMember("status");
  if (status == doc.MemberEnd() || !status->value.IsObject()) {
    return authError(error_file, who + " printed an ExecCredential without status");
  }
  const rapidjson::Value& st = status->value;
  ExecCredential credential;
  if (auto t = str(st, "token")) credential.token = std::string(*t);
  if (auto c = str(st, "clientCertificateData")) credential.client_certificate_data = std::string(*c);
  if (auto k = str(st, "clientKeyData")) credential.client_key_data = std::string(*k);
  if (credential.client_certificate_data.empty() != credential.client_key_data.empty()) {
    return authError(error_file, who + " returned " +
                                     (credential.client_key_data.empty() ? "clientCertificateData without clientKeyData"
                                                                         : "clientKeyData without clientCertificateData") +
                                     ": both are needed");
  }
  if (credential.token.empty() && credential.client_certificate_data.empty()) {
    return authError(error_file, who + " returned neither a token nor a client certificate and key");
  }
  if (credential.token.find_first_of("\r\n") != std::string::npos) {
    return authError(error_file, who + " returned a token containing a line break");
  }
  auto exp = st.FindMember("expirationTimestamp");
  if (exp != st.MemberEnd() && !exp->value.IsNull()) {
    std::optional<std::chrono::system_clock::time_point> t;
    if (exp->value.IsString()) t = parseRfc3339(std::string_view(exp->value.GetString(), exp->value.GetStringLength()));
    if (!t) {
      return authError(error_file, who + " returned an expirationTimestamp that is not an RFC 3339 time");
    }
    credential.expiration = *t;
  }
  return credential;
}

Result<ExecCredential> runExecPlugin(const ExecConfig& exec, const ClusterInfo& cluster, std::string_view ca_pem,
                                     const ExecRunOptions& options, const std::string& error_file) {
  const std::string who = "exec plugin " + quoted(exec.command);
  bool interactive = false;
  if (exec.interactive_mode == "Always") {
    if (!options.stdin_is_terminal) {
      return authError(error_file, who + " needs an interactive terminal (interactiveMode: Always) but standard "
                                         "input is not a terminal");
    }
    interactive = true;
  } else if (exec.interactive_mode == "IfAvailable" || exec.interactive_mode.empty()) {
    interactive = options.stdin_is_terminal;
  }

  std::optional<std::string> path = lookPath(exec.command, options.environment);
  if (!path) {
    std::string message = who + " not found" +
                          (exec.command.find('/') == std::string::npos ? " in PATH" : " or not executable") +
                          ": it is a client-go credential plugin the kubeconfig names";
    if (!exec.install_hint.empty()) {
      message += "; " + exec.install_hint;
    } else {
      message += "; install it or fix users[].user.exec.command";
    }
    return authError(error_file, message);
  }

  std::vector<std::pair<std::string, std::string>> overrides = exec.env;
  overrides.emplace_back("KUBERNETES_EXEC_INFO", execInfoJson(exec, cluster, ca_pem, interactive));
  std::vector<std::string> env = mergeEnvironment(options.environment, overrides);
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_storage;
  argv_storage.push_back(exec.command);
  for (const std::string& a : exec.args) argv_storage.push_back(a);
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return authError(error_file, who + ": could not create a pipe: " + std::strerror(errno));
  }
  FileDescriptor read_end(fds[0]);
  FileDescriptor write_end(fds[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
  if (!interactive) posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t no_signals;
  sigemptyset(&no_signals);
  sigset_t default_signals;
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &no_signals);
  posix_spawnattr_setsigdefault(&attr, &default_signals);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  // Its own process group so a timeout kills what it started too; not when interactive, where it
  // must stay in the terminal's foreground group to read from it.
  const bool own_group = !interactive;
  if (own_group) {
    flags |= POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(&attr, 0);
  }
  posix_spawnattr_setflags(&attr, flags);
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, path->c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  write_end.reset();
  if (rc != 0) {
    return authError(error_file, who + " could not be started: " + std::strerror(rc));
  }

  const steady_clock::time_point deadline = steady_clock::now() + options.timeout;
  std::string output;
  bool too_big = false;
  bool timed_out = false;
  char buf[8192];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{read_end.get(), POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    ssize_t got = ::read(read_end.get(), buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // EOF (or an error: treated as the end)
    if (output.size() + size_t(got) > options.max_output_bytes) {
      too_big = true;
      break;
    }
    output.append(buf, size_t(got));
  }
  read_end.reset();
  int status = waitOrKill(pid, own_group, (timed_out || too_big) ? steady_clock::now() : deadline);
  if (timed_out || (status == -1 && !too_big)) {
    return authError(error_file, who + " did not finish within " + std::to_string(options.timeout.count()) +
                                     " ms and was killed");
  }
  if (too_big) {
    return authError(error_file, who + " printed more than " + std::to_string(options.max_output_bytes) +
                                     " bytes and was killed");
  }
  if (WIFSIGNALED(status)) {
    return authError(error_file, who + " was terminated by signal " + std::to_string(WTERMSIG(status)));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    return authError(error_file, who + " failed with exit code " + std::to_string(WEXITSTATUS(status)));
  }
  return parseExecCredential(output, exec.api_version, exec.command, error_file);
}

}  // namespace kspm::cluster
