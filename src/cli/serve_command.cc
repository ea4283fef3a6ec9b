// tally serve: the daemon (HTTP API, dashboard, remote_write receiver, scheduled collection and
// allocation). SIGINT and SIGTERM stop it gracefully: requests in flight finish, a collection in
// flight is cancelled (its chunk not stored), and remote_write usage is stored before it exits.
// tally.yaml is read again when it changes (looked at every second) and on SIGHUP; a bad one
// keeps the running config and is reported by the log and /api/v1/sources.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <thread>

#include "access/access_control.h"
#include "cli/cli.h"
#include "common/http_client.h"
#include "common/input_file.h"
#include "ingest/billing/bill_formats.h"
#include "jobs/scheduler.h"
#include "server/server.h"

namespace tally::cli {
namespace {

struct ServeFlags {
  std::string listen = "127.0.0.1:8080";
  double flush_interval = 60;
  int64_t max_body_mib = 16;
  int read_timeout = 10;
  std::string web;
  std::string config;
  bool no_allocate = false;
  double allocate_check = 5;
  double request_budget = 15;
  int64_t min_free_mib = 64;
  std::string auth = "off";
  std::string tls_cert, tls_key;
  double rate_limit = 300;
  std::string policies = "policies";
  double policy_every = 3600;
};

// The OIDC verifier of `oidc`, its keys read from a file or fetched over https; null when OIDC
// is not configured. Errors: kInvalidArgument, kUnavailable (the URL does not answer).
Result<std::shared_ptr<const OidcVerifier>> LoadOidc(const OidcConfig& oidc) {
  if (!oidc.enabled()) return std::shared_ptr<const OidcVerifier>();
  std::string jwks;
  if (oidc.jwks.starts_with("https://")) {
    HttpClient http;
    http.set_max_body_bytes(1 << 20);
    TALLY_ASSIGN_OR_RETURN(HttpResponse answer, http.Get(oidc.jwks, 10));
    if (answer.status != 200) {
      return Unavailable("auth.oidc.jwks: " + oidc.jwks + " answered HTTP " +
                         std::to_string(answer.status));
    }
    jwks = std::move(answer.body);
  } else {
    auto text = ReadWholeFile(oidc.jwks);
    if (!text.ok()) return InvalidArgument("auth.oidc.jwks: " + text.status().message());
    jwks = std::move(*text);
  }
  TALLY_ASSIGN_OR_RETURN(std::unique_ptr<OidcVerifier> verifier, OidcVerifier::Make(oidc, jwks));
  return std::shared_ptr<const OidcVerifier>(std::move(verifier));
}

// Refuses a source whose kind is neither prometheus, slurm, redis nor a bill format this binary
// reads.
Status CheckSourceKinds(const Config& config) {
  for (const SourceConfig& source : config.sources) {
    if (source.kind != "prometheus" && source.kind != "slurm" && source.kind != "redis" &&
        FindBillFormat(source.kind) == nullptr) {
      std::string known;
      for (const BillFormat& f : BillFormats())
        known += (known.empty() ? "" : ", ") + std::string(f.name);
      return InvalidArgument("source \"" + source.name + "\": kind \"" + source.kind +
                             "\" is neither prometheus, slurm, redis nor a bill format (" + known +
                             ")");
    }
  }
  return Status::Ok();
}

void Log(const std::string& message) { std::fprintf(stderr, "tally: serve: %s\n", message.c_str()); }

int RunServe(const GlobalOptions& globals, const ServeFlags& flags) {
  ServerOptions options;
  Status address = ParseListenAddress(flags.listen, &options);
  if (!address.ok() || flags.flush_interval <= 0 || flags.max_body_mib <= 0 ||
      flags.read_timeout <= 0 || flags.allocate_check <= 0 || flags.request_budget <= 0 ||
      flags.min_free_mib < 0 || flags.policy_every < 0) {
    PrintError("serve: " + (address.ok() ? std::string("--flush-interval, --max-body-mib, "
                                                       "--read-timeout, --allocate-check and "
                                                       "--request-budget must be positive, "
                                                       "--min-free-mib and --policy-every not "
                                                       "negative")
                                         : address.message()));
    return 2;
  }
  options.flush_interval_seconds = flags.flush_interval;
  options.max_body_bytes = static_cast<size_t>(flags.max_body_mib) << 20;
  options.read_timeout_seconds = flags.read_timeout;
  options.request_budget_seconds = flags.request_budget;
  options.min_free_bytes = static_cast<uint64_t>(flags.min_free_mib) << 20;
  options.web_dir = flags.web;  // "" serves the dashboard built into the binary
  if (flags.auth != "off" && flags.auth != "required") {
    PrintError("serve: --auth is off or required, not \"" + flags.auth + "\"");
    return 2;
  }
  options.auth_required = flags.auth == "required";
  // Secure by default: the API shows every team's costs and takes writes that move them, so
  // it is served unauthenticated only where no other machine can reach it.
  if (!options.auth_required && !IsLoopbackHost(options.host)) {
    PrintError("serve: --listen " + flags.listen +
               " is reachable from other machines: add --auth required and give each client a "
               "token (tally tokens create); docs/security.md");
    return 2;
  }
  if (!(flags.rate_limit > 0)) {
    PrintError("serve: --rate-limit must be positive");
    return 2;
  }
  options.rate_limit_per_minute = flags.rate_limit;
  options.store_url = globals.store;
  options.policies_dir = flags.policies;
  options.tls_cert = flags.tls_cert;
  options.tls_key = flags.tls_key;
  auto config = LoadConfig(flags.config);
  if (config.ok()) {
    Status kinds = CheckSourceKinds(*config);
    if (!kinds.ok()) config = kinds.WithContext(flags.config.empty() ? "tally.yaml" : flags.config);
  }
  if (!config.ok()) {
    PrintError("serve: " + config.status().message());
    return 1;
  }
  for (const std::string& w : config->warnings) PrintError("serve: warning: " + w);
  auto store = OpenStore(globals.store);
  if (!store.ok()) {
    PrintError("serve: " + store.status().message());
    return 1;
  }
  // Tokens and the audit log, on a connection of their own.
  auto access_store = OpenAccessStore(globals.store);
  if (!access_store.ok()) {
    PrintError("serve: " + access_store.status().message());
    return 1;
  }
  AccessControl access(std::move(*access_store));
  auto oidc = LoadOidc(config->oidc);
  if (!oidc.ok()) {
    PrintError("serve: " + oidc.status().message());
    return 1;
  }
  access.SetOidc(*oidc);
  options.access = &access;
  if (options.auth_required) {
    auto tokens = access.ListTokens();
    const bool any = tokens.ok() && std::any_of(tokens->begin(), tokens->end(),
                                                [](const TokenRecord& t) { return !t.revoked_at; });
    Log(std::string("authentication required: API tokens") + (*oidc ? " and OIDC" : "") +
        (any || *oidc ? "" : " (none yet: tally tokens create --role admin --name NAME)"));
  }
  // Allocation follows a policy someone wrote down: without a tally.yaml the server would
  // reallocate, under the defaults, hours a `tally allocate --config X` run placed.
  const bool has_policy = !flags.config.empty() || std::filesystem::exists("tally.yaml");
  const bool allocate = has_policy && !flags.no_allocate;
  // The policy file is read again when it changes and on SIGHUP.
  std::unique_ptr<ConfigWatch> watch;
  if (has_policy) {
    watch = std::make_unique<ConfigWatch>(flags.config.empty() ? "tally.yaml" : flags.config,
                                          *config, CheckSourceKinds);
    options.config = watch.get();
  }
  // What the server will do, said once at start; not allocating is said loudly.
  if (allocate) {
    Log("allocating changed hours under " +
        (flags.config.empty() ? std::string("./tally.yaml") : flags.config));
  } else {
    Log(has_policy ? "WARNING: not allocating (--no-allocate): reports show only hours allocated "
                     "before"
                   : "WARNING: not allocating: no ./tally.yaml and no --config FILE; reports "
                     "show only hours allocated before (tally allocate, or serve --config FILE)");
  }
  if (config->sources.empty()) {
    Log("collecting nothing: no sources in the policy; serving what the store holds and what "
        "is pushed to /api/v1/write");
  }
  for (const SourceConfig& source : config->sources) {
    const std::string from = !source.url.empty()    ? source.url
                             : !source.paths.empty() ? source.paths.front() +
                                                           (source.paths.size() > 1 ? ", ..." : "")
                                                     : source.slurm_conf;
    char every[32];
    std::snprintf(every, sizeof every, "%g", source.every_seconds);
    Log("collecting " + source.kind + " \"" + source.name + "\"" +
        (from.empty() ? "" : " from " + from) + " every " + every + " s");
  }
  // The scheduler writes through a connection of its own, like another process would.
  std::unique_ptr<Scheduler> scheduler;
  if (has_policy || !config->sources.empty()) {
    auto own = OpenStore(globals.store);
    if (!own.ok()) {
      PrintError("serve: " + own.status().message());
      return 1;
    }
    SchedulerOptions schedule;
    schedule.config = *config;
    schedule.allocate = allocate;
    schedule.allocate_check_seconds = flags.allocate_check;
    schedule.log = Log;
    schedule.config_path = flags.config.empty() ? (has_policy ? "tally.yaml" : "") : flags.config;
    schedule.policies_dir = flags.policies;
    schedule.store_url = globals.store;
    schedule.policy_every_seconds = flags.policy_every;
    scheduler = std::make_unique<Scheduler>(std::move(*own), std::move(schedule));
  }
  // Signals go to one thread that waits for them; every other thread blocks them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // tally.yaml read again: by the waiter below (file changed, SIGHUP) or by an admin through
  // the API (POST /api/v1/config/reload), one at a time.
  std::mutex reload_mu;
  auto reload = [&](bool force) {
    std::lock_guard lock(reload_mu);
    ConfigPoll poll = watch->Poll(force);
    if (!poll.message.empty()) Log(poll.message);
    if (poll.config) {
      if (auto fresh = LoadOidc(poll.config->oidc); fresh.ok()) {
        access.SetOidc(*fresh);
      } else {
        Log("keeping the OIDC keys: " + fresh.status().message());
      }
      if (scheduler) scheduler->ApplyConfig(std::move(*poll.config));
    }
    return poll.message;
  };
  if (watch != nullptr) {
    options.reload_config = [&] {
      const std::string message = reload(true);
      return message.empty() ? std::string("unchanged") : message;
    };
  }
  if (scheduler) options.run_now = [&] { scheduler->RunNow(); };
  Server server(std::move(*store), options);
  if (scheduler) scheduler->Start();
  // Waits for a stop signal; meanwhile looks at tally.yaml every second, and at once on SIGHUP.
  std::thread waiter([&] {
    for (;;) {
      const timespec second{1, 0};
      const int signal = sigtimedwait(&signals, nullptr, &second);
      if (signal == SIGINT || signal == SIGTERM) break;
      if (watch == nullptr) continue;
      const std::string message = reload(signal == SIGHUP);
      if (!message.empty()) {
        const std::string detail =
            std::string("{\"trigger\":\"") + (signal == SIGHUP ? "SIGHUP" : "file changed") + "\"}";
        (void)access.Record("system", "config.reload", watch->state().path, detail);
      }
    }
    if (scheduler) scheduler->Stop();
    server.Stop();
  });
  Status status = server.Run();
  if (!status.ok()) {
    PrintError(status.message());
    kill(getpid(), SIGTERM);  // release the waiter: every other thread blocks the signal
    waiter.join();
    return 1;
  }
  waiter.join();
  std::fprintf(stderr, "tally: serve stopped\n");
  return 0;
}

}  // namespace

void AddServeCommand(CLI::App* app, const GlobalOptions* globals, int* exit_code) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* sub = app->add_subcommand(
      "serve",
      "run the daemon: dashboard, JSON API under /api/v1, /metrics, remote_write receiver, "
      "scheduled collection, bill ingest and allocation");
  sub->add_option("--listen", flags->listen, "HOST:PORT to listen on")->capture_default_str();
  sub->add_option("--flush-interval", flags->flush_interval,
                  "seconds between stores of remote_write usage")
      ->capture_default_str();
  sub->add_option("--max-body-mib", flags->max_body_mib, "largest request body accepted")
      ->capture_default_str();
  sub->add_option("--read-timeout", flags->read_timeout,
                  "seconds a client may take to send a request")
      ->capture_default_str();
  sub->add_option("--request-budget", flags->request_budget,
                  "seconds one API request may query the store (then 503)")
      ->capture_default_str();
  sub->add_option("--min-free-mib", flags->min_free_mib,
                  "/readyz fails while the store's disk has less free space")
      ->capture_default_str();
  sub->add_option("--config", flags->config,
                  "tally.yaml: the allocation policy and the sources to collect from (default: "
                  "./tally.yaml if present; without one, changed hours are not allocated)");
  sub->add_flag("--no-allocate", flags->no_allocate,
                "do not allocate changed hours (a read-only API; sources are still collected)");
  sub->add_option("--allocate-check", flags->allocate_check,
                  "seconds between checks for changed data to allocate")
      ->capture_default_str();
  sub->add_option("--auth", flags->auth,
                  "off (loopback only) or required: every API request, /metrics and "
                  "remote_write need a bearer token (tally tokens create) or an OIDC JWT")
      ->capture_default_str();
  sub->add_option("--tls-cert", flags->tls_cert, "PEM certificate chain: serve HTTPS");
  sub->add_option("--tls-key", flags->tls_key, "PEM private key of --tls-cert");
  sub->add_option("--rate-limit", flags->rate_limit,
                  "requests a minute per caller on routes that query the store (then 429)")
      ->capture_default_str();
  sub->add_option("--policies", flags->policies,
                  "a folder of policy files, beside tally.yaml's policies (GET /api/v1/policies)")
      ->capture_default_str();
  sub->add_option("--policy-every", flags->policy_every,
                  "seconds between policy runs (enforce policies act; 0: never)")
      ->capture_default_str();
  sub->add_option("--web", flags->web,
                  "serve the dashboard from this directory (development; default: the one "
                  "built into the binary)");
  sub->footer(
      "Point Prometheus at it with remote_write: [{url: http://HOST:PORT/api/v1/write}] "
      "(?source=NAME for a source of its own; with --auth required, authorization: "
      "{credentials: TOKEN} from tally tokens create --write NAME). "
      "Usage arrives as the source \"remote-write\"; an hour becomes complete once samples "
      "more than an hour and five minutes past its end have arrived. Sources listed in "
      "tally.yaml are collected every `every`; hours whose usage, bills or policy changed are "
      "allocated within --allocate-check seconds (see docs/config.md).");
  sub->callback([=]() { *exit_code = RunServe(*globals, *flags); });
}

}  // namespace tally::cli
