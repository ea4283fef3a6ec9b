// tally tokens create|list|revoke, tally audit [--verify]: who may use `tally serve`, and what
// was done through it (docs/security.md). Whoever can write the store file manages tokens: the
// CLI acts as "cli:<user>" in the audit log.
#include <pwd.h>
#include <unistd.h>

#include <cstdio>

#include "access/access_control.h"
#include "access/audit_log.h"
#include "cli/cli.h"
#include "config/config.h"
#include "report/record_table.h"

namespace tally::cli {
namespace {

struct TokenFlags {
  std::string role = "viewer";
  std::vector<std::string> owners;
  std::vector<std::string> write;
  std::string name;
  std::string expires;
  std::string id;
  std::string format = "table";
};

// Opens the access state; with `format_text`, parses it into *format first. Prints the error
// and sets *exit_code on failure.
std::unique_ptr<AccessControl> OpenAccess(const GlobalOptions& globals, int* exit_code,
                                          const std::string& format_text = "",
                                          OutputFormat* format = nullptr) {
  if (format != nullptr) {
    auto parsed = ParseOutputFormat(format_text);
    if (!parsed.ok()) {
      PrintError(parsed.status().message());
      *exit_code = 2;
      return nullptr;
    }
    *format = *parsed;
  }
  auto store = OpenAccessStore(globals.store);
  if (!store.ok()) {
    PrintError(store.status().message());
    *exit_code = 1;
    return nullptr;
  }
  return std::make_unique<AccessControl>(std::move(*store));
}

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

int RunCreate(const GlobalOptions& globals, const TokenFlags& flags) {
  TokenRecord spec;
  const std::optional<Role> role = ParseRole(flags.role);
  if (!role) {
    PrintError("tokens create: --role is viewer, operator or admin, not \"" + flags.role + "\"");
    return 2;
  }
  spec.role = *role;
  spec.name = flags.name;
  spec.owners = flags.owners;
  spec.write_sources = flags.write;
  if (!flags.expires.empty()) {
    auto seconds = ParseDuration(flags.expires);
    if (!seconds.ok()) {
      PrintError("tokens create: --expires: " + seconds.status().message());
      return 2;
    }
    spec.expires_at = Timestamp::FromUnixSeconds(SystemClock().Now().unix_seconds() +
                                                 static_cast<int64_t>(*seconds));
  }
  int exit_code = 0;
  std::unique_ptr<AccessControl> access = OpenAccess(globals, &exit_code);
  if (!access) return exit_code;
  auto minted = access->CreateToken(std::move(spec), CliActor());
  if (!minted.ok()) {
    PrintError("tokens create: " + minted.status().message());
    return minted.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  // The secret on stdout alone (for scripts); what it is on stderr.
  std::printf("%s\n", minted->token.c_str());
  const TokenRecord& t = minted->record;
  std::fprintf(stderr,
               "tally: token %s \"%s\": role %s, owners %s, writes %s, expires %s. The secret is "
               "shown once: send it as Authorization: Bearer <token>\n",
               t.id.c_str(), t.name.c_str(), std::string(RoleName(t.role)).c_str(),
               t.owners.empty() ? "all" : Joined(t.owners).c_str(),
               t.write_sources.empty() ? "nothing" : Joined(t.write_sources).c_str(),
               t.expires_at ? t.expires_at->ToString().c_str() : "never");
  return 0;
}

int RunList(const GlobalOptions& globals, const TokenFlags& flags) {
  int exit_code = 0;
  OutputFormat format;
  std::unique_ptr<AccessControl> access = OpenAccess(globals, &exit_code, flags.format, &format);
  if (!access) return exit_code;
  auto tokens = access->ListTokens();
  if (!tokens.ok()) {
    PrintError("tokens list: " + tokens.status().message());
    return 1;
  }
  const Timestamp now = SystemClock().Now();
  RecordTable t{
      {"id", "name", "role", "owners", "writes", "created", "created_by", "expires", "state"},
      {},
      {},
      {},
      {}};
  for (const TokenRecord& r : *tokens) {
    const char* state = r.revoked_at                             ? "revoked"
                        : r.expires_at && !(now < *r.expires_at) ? "expired"
                                                                 : "active";
    t.rows.push_back(
        {r.id, r.name, std::string(RoleName(r.role)), r.owners.empty() ? "(all)" : Joined(r.owners),
         Joined(r.write_sources), r.created_at.ToString(), r.created_by,
         r.expires_at ? std::optional<std::string>(r.expires_at->ToString()) : std::nullopt,
         std::string(state)});
  }
  std::fputs(RenderRecordTable(t, format).c_str(), stdout);
  return 0;
}

int RunRevoke(const GlobalOptions& globals, const TokenFlags& flags) {
  int exit_code = 0;
  std::unique_ptr<AccessControl> access = OpenAccess(globals, &exit_code);
  if (!access) return exit_code;
  Status revoked = access->RevokeToken(flags.id, CliActor());
  if (!revoked.ok()) {
    PrintError("tokens revoke: " + revoked.message());
    return revoked.code() == StatusCode::kNotFound ? 2 : 1;
  }
  std::fprintf(stderr, "tally: token %s is revoked\n", flags.id.c_str());
  return 0;
}

struct AuditFlags {
  bool verify = false;
  std::string format = "table";
  int64_t last = 0;
};

int RunAudit(const GlobalOptions& globals, const AuditFlags& flags) {
  int exit_code = 0;
  OutputFormat format;
  std::unique_ptr<AccessControl> access = OpenAccess(globals, &exit_code, flags.format, &format);
  if (!access) return exit_code;
  RecordTable t{{"seq", "at", "actor", "action", "target", "detail"}, {true}, {}, {}, {}};
  AuditChainCheck check;
  std::optional<AuditBreak> broken;
  int64_t entries = 0;
  Status read = access->ForEachAudit([&](const AuditEntry& e) {
    ++entries;
    if (!broken) broken = check.Next(e);
    if (!flags.verify) {
      t.rows.push_back(
          {std::to_string(e.seq), e.at.ToString(), e.actor, e.action, e.target, e.detail});
      // Only the newest --last entries are kept in memory.
      if (flags.last > 0 && static_cast<int64_t>(t.rows.size()) > flags.last) {
        t.rows.erase(t.rows.begin());
      }
    }
    return Status::Ok();
  });
  if (!read.ok()) {
    PrintError("audit: " + read.message());
    return 1;
  }
  if (flags.verify) {
    if (broken) {
      PrintError("audit: the log does not verify: " + broken->reason);
      return 1;
    }
    std::printf("audit: %lld entries, the hash chain holds\n", static_cast<long long>(entries));
    return 0;
  }
  std::fputs(RenderRecordTable(t, format).c_str(), stdout);
  if (broken) {
    PrintError("audit: WARNING: the log does not verify: " + broken->reason);
    return 1;
  }
  return 0;
}

}  // namespace

std::string CliActor() {
  const passwd* user = getpwuid(geteuid());
  return "cli:" + std::string(user != nullptr ? user->pw_name : std::to_string(geteuid()));
}

void RecordCliAction(const GlobalOptions& globals, std::string_view action, std::string_view target,
                     const std::string& detail) {
  auto store = OpenAccessStore(globals.store);
  Status recorded =
      store.ok()
          ? AccessControl(std::move(*store)).Record(CliActor(), action, target, detail).status()
          : store.status();
  if (!recorded.ok()) PrintError("warning: not in the audit log: " + recorded.message());
}

void AddAccessCommands(CLI::App* app, const GlobalOptions* globals, int* exit_code) {
  CLI::App* tokens = app->add_subcommand(
      "tokens", "API tokens for tally serve --auth required: create, list, revoke");
  tokens->require_subcommand(1);
  auto flags = std::make_shared<TokenFlags>();
  CLI::App* create = tokens->add_subcommand(
      "create", "mint a token and print its secret once (stdout); stored hashed");
  create->add_option("--role", flags->role, "viewer, operator or admin")->capture_default_str();
  create->add_option("--owner", flags->owners,
                     "an owner subtree the token sees (repeatable); none: every owner");
  create->add_option("--write", flags->write,
                     "a remote_write source it may push (repeatable; * for any)");
  create->add_option("--name", flags->name, "who holds it, as the audit log names them")
      ->required();
  create->add_option("--expires", flags->expires, "lifetime: 90d, 12h, 30m (default: never)");
  create->callback([=]() { *exit_code = RunCreate(*globals, *flags); });
  CLI::App* list = tokens->add_subcommand("list", "every token: role, scope, state (no secrets)");
  list->add_option("--format", flags->format, "table, csv or json")->capture_default_str();
  list->callback([=]() { *exit_code = RunList(*globals, *flags); });
  CLI::App* revoke = tokens->add_subcommand("revoke", "revoke a token at once");
  revoke->add_option("id", flags->id, "the token's id (tokens list)")->required();
  revoke->callback([=]() { *exit_code = RunRevoke(*globals, *flags); });

  auto audit_flags = std::make_shared<AuditFlags>();
  CLI::App* audit = app->add_subcommand(
      "audit",
      "the audit log: token changes, config reloads, writes, state changes; who, "
      "what and when (exit 1 if its hash chain does not hold)");
  audit->add_flag("--verify", audit_flags->verify,
                  "only check the hash chain: an edited, inserted or removed entry fails");
  audit->add_option("--last", audit_flags->last, "only the newest N entries");
  audit->add_option("--format", audit_flags->format, "table, csv or json")->capture_default_str();
  audit->callback([=]() { *exit_code = RunAudit(*globals, *audit_flags); });
}

}  // namespace tally::cli
