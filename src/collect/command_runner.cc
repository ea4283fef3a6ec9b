#include "collect/command_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

extern char** environ;

namespace tally {
namespace {

// This process's environment with `extra` added, replacing variables of the same name.
std::vector<std::string> Environment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string var(*e);
    bool replaced = false;
    for (const std::string& x : extra) {
      replaced |= var.substr(0, var.find('=') + 1) == x.substr(0, x.find('=') + 1);
    }
    if (!replaced) env.push_back(var);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::string TimeoutText(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", seconds);
  return text;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

Result<std::string> RunCommand(const std::vector<std::string>& argv_in,
                               const CommandOptions& options) {
  if (argv_in.empty()) return InvalidArgument("no command");
  const std::string name = argv_in[0];
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0) return IoError(std::string("pipe: ") + std::strerror(errno));
  if (pipe2(err, O_CLOEXEC) != 0) {
    close(out[0]);
    close(out[1]);
    return IoError(std::string("pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  std::vector<std::string> args = argv_in, env = Environment(options.env);
  std::vector<char*> argv = Pointers(args), envp = Pointers(env);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, name.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  close(err[1]);
  if (spawned != 0) {
    close(out[0]);
    close(err[0]);
    if (spawned == ENOENT) return NotFound(name + ": not found on PATH (is it installed?)");
    return IoError(name + ": " + std::strerror(spawned));
  }

  std::string output, errors;
  std::string failure;
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(options.timeout_seconds * 1000));
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[1 << 16];
  while (open_fds > 0 && failure.empty()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      failure = "ran longer than " + TimeoutText(options.timeout_seconds);
      break;
    }
    if (poll(fds, 2, static_cast<int>(std::min<int64_t>(left.count(), 1000))) < 0 && errno != EINTR) {
      failure = std::string("poll: ") + std::strerror(errno);
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      std::string& sink = i == 0 ? output : errors;
      sink.append(buf, static_cast<size_t>(n));
      if (i == 1 && errors.size() > 8192) errors.erase(0, errors.size() - 4096);  // the last of it
      if (output.size() > options.max_output) {
        failure = "printed more than " + std::to_string(options.max_output >> 20) + " MiB";
      }
    }
  }
  for (pollfd& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
  // A child that closed its output may still run: it too is bounded by the deadline.
  int status = 0;
  for (;;) {
    if (!failure.empty()) kill(pid, SIGKILL);
    const pid_t done = waitpid(pid, &status, failure.empty() ? WNOHANG : 0);
    if (done == pid || (done < 0 && errno != EINTR)) break;
    if (done == 0 && std::chrono::steady_clock::now() >= deadline) {
      failure = "ran longer than " + TimeoutText(options.timeout_seconds);
    } else if (done == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  if (!failure.empty()) return Unavailable(name + ": " + failure + " (killed)");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    while (!errors.empty() && (errors.back() == '\n' || errors.back() == ' ')) errors.pop_back();
    const size_t last = errors.rfind('\n');
    const std::string said = last == std::string::npos ? errors : errors.substr(last + 1);
    return Unavailable(name + ": " +
                       (WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                          : std::string("killed by a signal")) +
                       (said.empty() ? "" : ": " + said));
  }
  return output;
}

}  // namespace tally
