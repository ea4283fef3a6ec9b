// libFuzzer target: what the server parses from a request before any handler trusts it. The
// input is split at NUL bytes into a query string, an Authorization header and a JSON body:
//   - the query string as httplib parses it, then every parameter parser the API uses (window,
//     group keys, paging, showback and cost filters, metric, step, usage keys);
//   - the header as a bearer token: API token syntax, base64url, and a JWT verified against a
//     key set made at start (RS256), which must never verify;
//   - the body as the JSON object the POST routes read.
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "access/oidc.h"
#include "access/token.h"
#include "server/api_support.h"
#include "tally/cost_query.h"
#include "tally/showback.h"
#include "tally/usage_query.h"

namespace {

std::string Base64Url(const std::string& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (unsigned char c : bytes) {
    bits = (bits << 8) | c;
    count += 8;
    while (count >= 6) out += kAlphabet[(bits >> (count -= 6)) & 63];
  }
  if (count > 0) out += kAlphabet[(bits << (6 - count)) & 63];
  return out;
}

// A verifier over a fresh RSA key: no fuzzed input can hold its signature.
std::unique_ptr<tally::OidcVerifier> MakeVerifier() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  auto param = [&](const char* name) {
    BIGNUM* bn = nullptr;
    EVP_PKEY_get_bn_param(key, name, &bn);
    std::string out(static_cast<size_t>(BN_num_bytes(bn)), '\0');
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
    BN_free(bn);
    return out;
  };
  const nlohmann::json jwks{{"keys",
                             {{{"kty", "RSA"},
                               {"kid", "k"},
                               {"n", Base64Url(param(OSSL_PKEY_PARAM_RSA_N))},
                               {"e", Base64Url(param(OSSL_PKEY_PARAM_RSA_E))}}}}};
  EVP_PKEY_free(key);
  tally::OidcConfig config;
  config.issuer = "https://idp";
  config.audience = "tally";
  config.roles = {{"g", "admin", {}}};
  auto verifier = tally::OidcVerifier::Make(config, jwks.dump());
  if (!verifier.ok()) std::abort();
  return std::move(*verifier);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::unique_ptr<tally::OidcVerifier> verifier = MakeVerifier();
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t cut1 = input.find('\0');
  const size_t cut2 = cut1 == std::string::npos ? cut1 : input.find('\0', cut1 + 1);
  const std::string query = input.substr(0, cut1);
  const std::string header =
      cut1 == std::string::npos ? "" : input.substr(cut1 + 1, cut2 - cut1 - 1);
  const std::string body = cut2 == std::string::npos ? "" : input.substr(cut2 + 1);

  httplib::Request req;
  httplib::detail::parse_query_text(query, req.params);
  std::optional<tally::Timestamp> from, to;
  (void)tally::ParseWindow(req, &from, &to);
  (void)tally::ParsePage(req);
  if (auto by = tally::GroupBy(req, "owner"); by.ok()) {
    (void)tally::ParseShowbackKeys(*by);
    for (const std::string& name : *by) {
      (void)tally::GroupKey::Parse(name);
      (void)tally::UsageGroupKey::Parse(name);
    }
  }
  for (size_t i = 0; i < req.get_param_value_count("where") && i < 16; ++i) {
    const std::string where = req.get_param_value("where", i);
    (void)tally::ShowbackFilter::Parse(where);
    (void)tally::CostFilter::Parse(where);
  }
  (void)tally::ParseCostMetric(tally::Param(req, "metric"));
  (void)tally::ParseCostStep(tally::Param(req, "step"));

  if (auto bearer = tally::BearerOf(header)) {
    if (auto token = tally::ParseToken(*bearer)) {
      // A parsed token is a 12-digit id and a 64-digit secret.
      if (token->id.size() != 12 || token->secret.size() != 64) std::abort();
      (void)tally::SecretMatches(std::string(64, '0'), token->secret);
    }
    (void)tally::DecodeBase64Url(*bearer);
    if (verifier->Verify(*bearer, tally::Timestamp::FromUnixSeconds(1'800'000'000)).ok()) {
      std::abort();  // nothing fuzzed can be signed by a key made here
    }
  }
  const nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_object()) {
    (void)parsed.value("id", std::string());
    (void)parsed.value("state", std::string());
  }
  return 0;
}
