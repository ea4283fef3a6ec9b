#include "testing/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <thread>

namespace tally::testing {
namespace {

[[noreturn]] void Exec(const std::string& binary, const std::vector<std::string>& args) {
  std::vector<std::string> copies = args;
  std::vector<char*> argv;
  std::string program = binary;
  argv.push_back(program.data());
  for (std::string& a : copies) argv.push_back(a.data());
  argv.push_back(nullptr);
  unsetenv("TALLY_STORE");
  execv(binary.c_str(), argv.data());
  _exit(127);
}

int ExitCode(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return -1;
  }
  close(fd);
  return ntohs(addr.sin_port);
}

CommandResult RunCommand(const std::string& binary, const std::vector<std::string>& args) {
  TempDir io;
  const std::string out_path = io.File("out"), err_path = io.File("err");
  const pid_t pid = fork();
  if (pid == 0) {
    if (std::freopen(out_path.c_str(), "w", stdout) == nullptr ||
        std::freopen(err_path.c_str(), "w", stderr) == nullptr) {
      _exit(127);
    }
    Exec(binary, args);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return CommandResult{ExitCode(status), ReadFile(out_path), ReadFile(err_path)};
}

ChildProcess::ChildProcess(const std::string& binary, const std::vector<std::string>& args,
                           const std::string& log_path) {
  pid_ = fork();
  if (pid_ == 0) {
    const int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) _exit(127);
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
    Exec(binary, args);
  }
}

bool ChildProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    exit_code_ = ExitCode(status);
    pid_ = -1;
    return false;
  }
  return true;
}

int ChildProcess::Stop() {
  if (!running()) return exit_code_;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 500; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_code_ = ExitCode(status);
      pid_ = -1;
      return exit_code_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  exit_code_ = ExitCode(status);
  pid_ = -1;
  return exit_code_;
}

ChildProcess::~ChildProcess() { Stop(); }

int HttpGet(int port, const std::string& path, std::string* body) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(30, 0);
  auto res = client.Get(path.c_str());
  if (!res) return 0;
  if (body != nullptr) *body = res->body;
  return res->status;
}

std::string ServeUntilCollected(const std::string& store, const std::string& config,
                                const std::string& source, const std::string& log_path,
                                std::string* failure) {
  const int port = FreePort();
  ChildProcess serve(TallyBinary(),
                     {"--store", store, "serve", "--listen", "127.0.0.1:" + std::to_string(port),
                      "--config", config},
                     log_path);
  std::string found, body;
  if (WaitForHttp(port, "/readyz", 30)) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (found.empty() && std::chrono::steady_clock::now() < deadline) {
      if (HttpGet(port, "/api/v1/sources", &body) == 200) {
        const nlohmann::json answer = nlohmann::json::parse(body, nullptr, false);
        if (answer.is_object()) {
          for (const auto& s : answer["data"]["usage"]) {
            if (s["name"] == source && s["facts"].get<int64_t>() > 0) found = s.dump();
          }
        }
      }
      if (found.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  EXPECT_EQ(serve.Stop(), 0);
  if (found.empty()) {
    std::ifstream log(log_path);
    *failure = body + "\n" + std::string(std::istreambuf_iterator<char>(log), {});
  }
  return found;
}

bool WaitForHttp(int port, const std::string& path, double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (HttpGet(port, path, nullptr) == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace tally::testing
