// FixtureServer: starts kspm_fixture_apiserver (path in the KSPM_FIXTURE_APISERVER macro) for a test and stops it
// when destroyed. Self-contained (POSIX and the standard library only) so any test can include it.
//
//   std::string error;
//   auto server = FixtureServer::start({"--content", path, "--token", "t0k=alice"}, &error);
//   ASSERT_TRUE(server) << error;
//   // https://127.0.0.1:server->port(), CA in server->dir() + "/ca.crt", kubeconfig at server->kubeconfig()
//
// start() adds `--tls-dir <fresh temp dir>` unless the arguments already name one, waits up to 20 s for the
// server's "LISTENING <port>" line, and returns nullopt (with *error set) if the server exits or does not
// say it listens. The destructor sends SIGTERM, waits (SIGKILL after 10 s) and removes the temp dir it made.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#ifndef KSPM_FIXTURE_APISERVER
#error "KSPM_FIXTURE_APISERVER must name the kspm_fixture_apiserver binary"
#endif

class FixtureServer {
 public:
  static std::optional<FixtureServer> start(std::vector<std::string> args, std::string* error) {
    auto fail = [error](std::string message) -> std::optional<FixtureServer> {
      if (error) *error = std::move(message);
      return std::nullopt;
    };
    FixtureServer server;
    for (size_t i = 0; i + 1 < args.size(); ++i)
      if (args[i] == "--tls-dir") server.dir_ = args[i + 1];
    if (server.dir_.empty()) {
      const char* tmp = std::getenv("TMPDIR");
      std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/kspm-fixture-XXXXXX";
      if (mkdtemp(pattern.data()) == nullptr) return fail("mkdtemp failed");
      server.dir_ = pattern;
      server.ownsDir_ = true;
      args.insert(args.begin(), {"--tls-dir", server.dir_});
    }
    int pipeFds[2];
    if (pipe(pipeFds) != 0) return fail("pipe failed");
    std::vector<std::string> argv = {KSPM_FIXTURE_APISERVER};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (auto& arg : argv) cargv.push_back(arg.data());
    cargv.push_back(nullptr);
    const pid_t pid = fork();
    if (pid < 0) {
      close(pipeFds[0]);
      close(pipeFds[1]);
      return fail("fork failed");
    }
    if (pid == 0) {
      dup2(pipeFds[1], STDOUT_FILENO);
      close(pipeFds[0]);
      close(pipeFds[1]);
      execv(cargv[0], cargv.data());
      _exit(127);
    }
    close(pipeFds[1]);
    server.pid_ = pid;
    std::string output;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (output.find('\n') == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd readable{pipeFds[0], POLLIN, 0};
      if (poll(&readable, 1, static_cast<int>(left.count())) <= 0) continue;
      char buffer[256];
      const ssize_t got = read(pipeFds[0], buffer, sizeof buffer);
      if (got <= 0) break;
      output.append(buffer, static_cast<size_t>(got));
    }
    close(pipeFds[0]);
    if (output.rfind("LISTENING ", 0) != 0 || output.find('\n') == std::string::npos)
      return fail("kspm_fixture_apiserver did not start (stdout: '" + output + "'; see its stderr)");
    server.port_ = std::atoi(output.c_str() + 10);
    if (server.port_ <= 0) return fail("bad LISTENING line: " + output);
    return server;
  }

  FixtureServer(FixtureServer&& other) noexcept { *this = std::move(other); }
  FixtureServer& operator=(FixtureServer&& other) noexcept {
    if (this != &other) {
      stop();
      pid_ = std::exchange(other.pid_, -1);
      port_ = std::exchange(other.port_, 0);
      dir_ = std::move(other.dir_);
      ownsDir_ = std::exchange(other.ownsDir_, false);
    }
    return *this;
  }
  FixtureServer(const FixtureServer&) = delete;
  FixtureServer& operator=(const FixtureServer&) = delete;
  ~FixtureServer() { stop(); }

  int port() const { return port_; }
  std::string dir() const { return dir_; }
  std::string kubeconfig() const { return dir_ + "/kubeconfig"; }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }

  // Stops the server now (SIGTERM, then SIGKILL after 10 s); returns its exit status as waitpid gives it, or -1.
  // Keeps the tls dir until destruction so a test can restart a server with the same CA.
  int terminate() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int status = -1;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
    return status;
  }

 private:
  FixtureServer() = default;
  void stop() {
    terminate();
    if (ownsDir_ && !dir_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
    }
    ownsDir_ = false;
  }

  pid_t pid_ = -1;
  int port_ = 0;
  std::string dir_;
  bool ownsDir_ = false;
};
