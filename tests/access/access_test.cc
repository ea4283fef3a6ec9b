// Tokens, the audit chain, the rate limiter and OIDC verification, against a real SQLite access
// store and keys made with OpenSSL (test_jwt.h).
#include <gtest/gtest.h>

#include "access/access_control.h"
#include "access/audit_log.h"
#include "access/oidc.h"
#include "access/rate_limiter.h"
#include "access/test_jwt.h"
#include "access/token.h"
#include "store/sqlite/sqlite_db.h"
#include "testing/test_util.h"

namespace tally {
namespace {

const Timestamp kNow = Timestamp::FromUnixSeconds(1'800'000'000);

TEST(TokenTest, Sha256MatchesTheFipsVector) {
  // FIPS 180-2, appendix B.1.
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(TokenTest, MintedTokensParseAndOnlyTheirSecretMatches) {
  TokenRecord spec;
  spec.name = "ci";
  auto a = MintToken(spec), b = MintToken(spec);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->token, b->token);
  auto parsed = ParseToken(a->token);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->id, a->record.id);
  EXPECT_TRUE(SecretMatches(a->record.secret_hash, parsed->secret));
  EXPECT_FALSE(SecretMatches(b->record.secret_hash, parsed->secret));
  EXPECT_EQ(a->record.secret_hash.find(parsed->secret), std::string::npos);  // hashed, not kept
  std::string flipped = parsed->secret;
  flipped[0] = flipped[0] == 'a' ? 'b' : 'a';
  EXPECT_FALSE(SecretMatches(a->record.secret_hash, flipped));
  for (const std::string& bad :
       std::vector<std::string>{"", "tly_", "tly_abc_def", a->token + "0", a->token.substr(1),
                                "tly_" + std::string(12, 'G') + "_" + std::string(64, 'a')}) {
    EXPECT_FALSE(ParseToken(bad)) << bad;
  }
}

TEST(TokenTest, BearerHeaders) {
  EXPECT_EQ(BearerOf("Bearer abc").value_or(""), "abc");
  EXPECT_EQ(BearerOf("bearer   abc  ").value_or(""), "abc");
  EXPECT_FALSE(BearerOf("Basic abc"));
  EXPECT_FALSE(BearerOf("Bearer "));
  EXPECT_FALSE(BearerOf(""));
}

class AccessControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenAccessStore("sqlite:" + dir_.File("t.db"));
    ASSERT_TRUE(store.ok()) << store.status().message();
    access_ = std::make_unique<AccessControl>(std::move(*store), clock_);
  }
  MintedToken Create(TokenRecord spec) {
    auto minted = access_->CreateToken(std::move(spec), "cli:test");
    EXPECT_TRUE(minted.ok()) << minted.status().message();
    return minted.ok() ? *minted : MintedToken{};
  }

  testing::TempDir dir_;
  FixedClock clock_{kNow};
  std::unique_ptr<AccessControl> access_;
};

TEST_F(AccessControlTest, TokensAuthenticateUntilRevokedOrExpired) {
  TokenRecord spec;
  spec.name = "ads-team";
  spec.role = Role::kViewer;
  spec.owners = {"ads"};
  spec.expires_at = Timestamp::FromUnixSeconds(kNow.unix_seconds() + 3600);
  const MintedToken t = Create(spec);
  auto caller = access_->Authenticate("Bearer " + t.token);
  ASSERT_TRUE(caller.ok()) << caller.status().message();
  EXPECT_EQ(caller->name, "ads-team");
  EXPECT_EQ(caller->role, Role::kViewer);
  EXPECT_TRUE(caller->Sees("ads"));
  EXPECT_TRUE(caller->Sees("ads/serving"));
  EXPECT_FALSE(caller->Sees("adsx"));
  EXPECT_FALSE(caller->Sees("search"));
  EXPECT_FALSE(caller->CanWrite("remote-write"));

  EXPECT_FALSE(access_->Authenticate("").ok());
  std::string wrong = t.token;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  EXPECT_FALSE(access_->Authenticate("Bearer " + wrong).ok());
  clock_.Set(Timestamp::FromUnixSeconds(kNow.unix_seconds() + 3600));  // expires now
  EXPECT_FALSE(access_->Authenticate("Bearer " + t.token).ok());
  clock_.Set(kNow);
  ASSERT_TRUE(access_->Authenticate("Bearer " + t.token).ok());
  ASSERT_TRUE(access_->RevokeToken(t.record.id, "cli:test").ok());
  EXPECT_FALSE(access_->Authenticate("Bearer " + t.token).ok());
  EXPECT_EQ(access_->RevokeToken(t.record.id, "cli:test").code(), StatusCode::kNotFound);
}

TEST_F(AccessControlTest, BadSpecsAreRefused) {
  for (const std::string owner : {"", "/ads", "ads/", "a//b", "ads team", "ads;drop"}) {
    TokenRecord spec;
    spec.name = "x";
    spec.owners = {owner};
    EXPECT_EQ(access_->CreateToken(spec, "t").status().code(), StatusCode::kInvalidArgument)
        << owner;
  }
  TokenRecord unnamed;
  EXPECT_FALSE(access_->CreateToken(unnamed, "t").ok());
  TokenRecord past;
  past.name = "p";
  past.expires_at = kNow;
  EXPECT_FALSE(access_->CreateToken(past, "t").ok());
}

TEST_F(AccessControlTest, TheAuditChainFindsAnEditedOrRemovedEntry) {
  TokenRecord spec;
  spec.name = "alice";
  Create(spec);  // token.create
  ASSERT_TRUE(access_->Record("alice", "config.reload", "tally.yaml", "{}").ok());
  ASSERT_TRUE(access_->Record("bob", "anomaly.state", "abc", "{\"after\":\"resolved\"}").ok());
  auto verify = [&]() -> std::optional<AuditBreak> {
    AuditChainCheck check;
    std::optional<AuditBreak> broken;
    std::vector<std::string> actions;
    EXPECT_TRUE(access_
                    ->ForEachAudit([&](const AuditEntry& e) {
                      actions.push_back(e.action);
                      if (!broken) broken = check.Next(e);
                      return Status::Ok();
                    })
                    .ok());
    EXPECT_EQ(actions.front(), "token.create");
    return broken;
  };
  EXPECT_FALSE(verify());
  auto db = sqlite::SqliteDb::Open(dir_.File("t.db"));
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Exec("UPDATE audit SET actor = 'mallory' WHERE seq = 2").ok());
  auto broken = verify();
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->seq, 2);
  ASSERT_TRUE((*db)->Exec("UPDATE audit SET actor = 'alice' WHERE seq = 2").ok());
  EXPECT_FALSE(verify());
  ASSERT_TRUE((*db)->Exec("DELETE FROM audit WHERE seq = 2").ok());
  broken = verify();
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->seq, 2);
}

TEST(RateLimiterTest, BucketsRefillPerCaller) {
  RateLimiter limiter(3);  // 3 a minute: one every 20 s
  const auto t0 = RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Take("a", t0), 0);
  EXPECT_NEAR(limiter.Take("a", t0), 20, 1e-9);
  EXPECT_EQ(limiter.Take("b", t0), 0);  // another caller has its own bucket
  EXPECT_GT(limiter.Take("a", t0 + std::chrono::seconds(19)), 0);
  EXPECT_EQ(limiter.Take("a", t0 + std::chrono::seconds(20)), 0);
}

TEST(RateLimiterTest, TrackedCallersAreBounded) {
  RateLimiter limiter(1);
  const auto t0 = RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 25'000; ++i) {
    EXPECT_EQ(limiter.Take("k" + std::to_string(i), t0 + std::chrono::milliseconds(i)), 0);
  }
  // The newest callers are remembered: their buckets are empty.
  EXPECT_GT(limiter.Take("k24999", t0 + std::chrono::milliseconds(25'000)), 0);
}

OidcConfig Oidc() {
  OidcConfig c;
  c.issuer = "https://idp.example";
  c.audience = "tally";
  c.roles = {{"finops", "admin", {}},
             {"team-ads", "viewer", {"ads"}},
             {"team-search", "operator", {"search"}}};
  return c;
}

nlohmann::json Claims(std::vector<std::string> groups) {
  return {{"iss", "https://idp.example"}, {"aud", {"other", "tally"}},        {"sub", "u-1"},
          {"email", "ann@example.com"},   {"exp", kNow.unix_seconds() + 600}, {"groups", groups}};
}

TEST(OidcTest, SignedTokensMapClaimsToRolesAndOwners) {
  for (const char* alg : {"RS256", "ES256"}) {
    testing::TestIdp idp(alg);
    auto verifier = OidcVerifier::Make(Oidc(), idp.Jwks());
    ASSERT_TRUE(verifier.ok()) << verifier.status().message();
    auto ads = (*verifier)->Verify(idp.Sign(Claims({"team-ads"})), kNow);
    ASSERT_TRUE(ads.ok()) << alg << ": " << ads.status().message();
    EXPECT_EQ(ads->name, "oidc:ann@example.com");
    EXPECT_EQ(ads->role, Role::kViewer);
    EXPECT_EQ(ads->owners, std::vector<std::string>{"ads"});
    EXPECT_TRUE(ads->write_sources.empty());
    auto two = (*verifier)->Verify(idp.Sign(Claims({"team-ads", "team-search"})), kNow);
    ASSERT_TRUE(two.ok());
    EXPECT_EQ(two->role, Role::kOperator);
    EXPECT_EQ(two->owners, (std::vector<std::string>{"ads", "search"}));
    auto admin = (*verifier)->Verify(idp.Sign(Claims({"team-ads", "finops"})), kNow);
    ASSERT_TRUE(admin.ok());
    EXPECT_EQ(admin->role, Role::kAdmin);
    EXPECT_TRUE(admin->owners.empty());  // a mapping without owners sees every owner
  }
}

TEST(OidcTest, AnythingElseIsRefused) {
  testing::TestIdp idp("RS256"), other("RS256"), ec("ES256");
  auto verifier = OidcVerifier::Make(Oidc(), idp.Jwks());
  ASSERT_TRUE(verifier.ok());
  auto refused = [&](const std::string& jwt, Timestamp at = kNow) {
    return !(*verifier)->Verify(jwt, at).ok();
  };
  nlohmann::json c = Claims({"team-ads"});
  EXPECT_FALSE(refused(idp.Sign(c)));
  EXPECT_TRUE(refused(other.Sign(c)));               // another key under the same kid
  EXPECT_TRUE(refused(idp.Sign(c, "", "unknown")));  // unknown kid
  EXPECT_TRUE(refused(idp.Sign(c, "HS256")));        // alg not the key's
  EXPECT_TRUE(refused(idp.Sign(c, "none")));
  EXPECT_TRUE(refused(ec.Sign(c)));                    // an EC key the JWKS does not hold
  EXPECT_TRUE(refused(idp.Sign(Claims({"nobody"}))));  // no role mapped
  EXPECT_TRUE(refused(idp.Sign(c), Timestamp::FromUnixSeconds(kNow.unix_seconds() + 661)));
  EXPECT_FALSE(refused(idp.Sign(c), Timestamp::FromUnixSeconds(kNow.unix_seconds() + 650)));
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, nlohmann::json>>{{"iss", "https://evil.example"},
                                                           {"aud", "someone-else"},
                                                           {"nbf", kNow.unix_seconds() + 3600},
                                                           {"exp", "tomorrow"}}) {
    nlohmann::json bad = c;
    bad[key] = value;
    EXPECT_TRUE(refused(idp.Sign(bad))) << key;
  }
  nlohmann::json no_exp = c;
  no_exp.erase("exp");
  EXPECT_TRUE(refused(idp.Sign(no_exp)));
  // A payload changed after signing.
  const std::string jwt = idp.Sign(c);
  const size_t dot1 = jwt.find('.'), dot2 = jwt.find('.', dot1 + 1);
  nlohmann::json admin = Claims({"finops"});
  EXPECT_TRUE(
      refused(jwt.substr(0, dot1 + 1) + testing::Base64Url(admin.dump()) + jwt.substr(dot2)));
  for (const std::string& junk :
       std::vector<std::string>{"", ".", "..", "a.b.c", "a.b.c.d", std::string(20000, 'a')}) {
    EXPECT_TRUE(refused(junk)) << junk.substr(0, 20);
  }
  EXPECT_FALSE(OidcVerifier::Make(Oidc(), "{\"keys\":[]}").ok());
  EXPECT_FALSE(OidcVerifier::Make(Oidc(), "not json").ok());
}

}  // namespace
}  // namespace tally
