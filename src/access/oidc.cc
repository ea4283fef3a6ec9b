#include "access/oidc.h"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "access/access_control.h"

namespace tally {
namespace {

using Json = nlohmann::json;

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// An RSA public key from its modulus and exponent (big-endian bytes).
EVP_PKEY* RsaKey(const std::string& n, const std::string& e) {
  BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()),
                           static_cast<int>(n.size()), nullptr);
  BIGNUM* bn_e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()),
                           static_cast<int>(e.size()), nullptr);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  EVP_PKEY* pkey = nullptr;
  if (bn_n && bn_e && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e)) {
    OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
    if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1) {
      EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params);
    }
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
  }
  OSSL_PARAM_BLD_free(bld);
  BN_free(bn_n);
  BN_free(bn_e);
  return pkey;
}

// A P-256 public key from its coordinates (32 bytes each).
EVP_PKEY* P256Key(const std::string& x, const std::string& y) {
  if (x.size() != 32 || y.size() != 32) return nullptr;
  std::string point = "\x04" + x + y;  // uncompressed SEC1 point
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>("prime256v1"),
                                       0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end()};
  EVP_PKEY* pkey = nullptr;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  if (ctx && EVP_PKEY_fromdata_init(ctx) == 1) {
    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params);
  }
  EVP_PKEY_CTX_free(ctx);
  return pkey;
}

// ES256 signs r || s (32 bytes each); OpenSSL verifies DER.
std::optional<std::string> EcdsaDer(const std::string& raw) {
  if (raw.size() != 64) return std::nullopt;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  const int n = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (n <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  return out;
}

bool VerifySignature(EVP_PKEY* key, std::string_view signed_text, const std::string& sig) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok =
      ctx && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                       reinterpret_cast<const unsigned char*>(signed_text.data()),
                       signed_text.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

std::optional<Json> JsonPart(std::string_view part) {
  auto bytes = DecodeBase64Url(part);
  if (!bytes) return std::nullopt;
  Json j = Json::parse(*bytes, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  return j;
}

}  // namespace

std::optional<std::string> DecodeBase64Url(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    const int v = Base64Value(c);
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    if (++count == 4) {
      out.push_back(static_cast<char>(bits >> 16));
      out.push_back(static_cast<char>(bits >> 8));
      out.push_back(static_cast<char>(bits));
      bits = 0;
      count = 0;
    }
  }
  if (count == 2) out.push_back(static_cast<char>(bits >> 4));
  if (count == 3) {
    out.push_back(static_cast<char>(bits >> 10));
    out.push_back(static_cast<char>(bits >> 2));
  }
  return out;
}

OidcVerifier::~OidcVerifier() {
  for (auto& [kid, key] : keys_) EVP_PKEY_free(key.pkey);
}

Result<std::unique_ptr<OidcVerifier>> OidcVerifier::Make(const OidcConfig& config,
                                                         std::string_view jwks_json) {
  std::unique_ptr<OidcVerifier> v(new OidcVerifier());
  v->config_ = config;
  for (const OidcRoleMapping& m : config.roles) {
    for (const std::string& owner : m.owners) TALLY_RETURN_IF_ERROR(CheckOwnerPath(owner));
  }
  const Json jwks = Json::parse(jwks_json, nullptr, false);
  if (!jwks.is_object() || !jwks.contains("keys") || !jwks["keys"].is_array()) {
    return InvalidArgument("the JWKS is not a JSON object with a keys list");
  }
  for (const Json& k : jwks["keys"]) {
    if (!k.is_object()) continue;
    auto text = [&](const char* name) {
      return k.contains(name) && k[name].is_string() ? k[name].get<std::string>() : "";
    };
    if (!text("use").empty() && text("use") != "sig") continue;
    Key key;
    if (text("kty") == "RSA") {
      auto n = DecodeBase64Url(text("n")), e = DecodeBase64Url(text("e"));
      if (!n || !e || n->size() < 256) continue;  // RSA below 2048 bits is refused
      key = Key{"RS256", RsaKey(*n, *e)};
    } else if (text("kty") == "EC" && text("crv") == "P-256") {
      auto x = DecodeBase64Url(text("x")), y = DecodeBase64Url(text("y"));
      if (!x || !y) continue;
      key = Key{"ES256", P256Key(*x, *y)};
    } else {
      continue;
    }
    if (key.pkey == nullptr) continue;
    const std::string kid = text("kid");
    if (auto old = v->keys_.find(kid); old != v->keys_.end()) EVP_PKEY_free(old->second.pkey);
    v->keys_[kid] = key;
  }
  if (v->keys_.empty()) {
    return InvalidArgument(
        "the JWKS holds no usable signing key (RSA of 2048 bits or more, "
        "or EC P-256)");
  }
  return v;
}

Result<Caller> OidcVerifier::Verify(std::string_view jwt, Timestamp now) const {
  if (jwt.size() > 16 * 1024) return InvalidArgument("the JWT is longer than 16 KiB");
  const size_t dot1 = jwt.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : jwt.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || jwt.find('.', dot2 + 1) != std::string_view::npos) {
    return InvalidArgument("not a JWT (three base64url parts)");
  }
  const std::optional<Json> header = JsonPart(jwt.substr(0, dot1));
  const std::optional<Json> claims = JsonPart(jwt.substr(dot1 + 1, dot2 - dot1 - 1));
  const std::optional<std::string> signature = DecodeBase64Url(jwt.substr(dot2 + 1));
  if (!header || !claims || !signature) return InvalidArgument("the JWT does not decode");
  const std::string alg = header->value("alg", "");
  const std::string kid = header->contains("kid") && (*header)["kid"].is_string()
                              ? (*header)["kid"].get<std::string>()
                              : "";
  auto key = keys_.find(kid);
  if (key == keys_.end()) return InvalidArgument("the JWT's key (kid) is not in the JWKS");
  if (alg != key->second.alg) {
    return InvalidArgument("the JWT's alg \"" + alg + "\" is not its key's (" + key->second.alg +
                           ")");
  }
  std::string sig = *signature;
  if (alg == "ES256") {
    auto der = EcdsaDer(sig);
    if (!der) return InvalidArgument("the JWT's ES256 signature is not 64 bytes");
    sig = std::move(*der);
  }
  if (!VerifySignature(key->second.pkey, jwt.substr(0, dot2), sig)) {
    return InvalidArgument("the JWT's signature does not verify");
  }
  const Json& c = *claims;
  if (!c.contains("iss") || c["iss"] != config_.issuer) {
    return InvalidArgument("the JWT's issuer is not " + config_.issuer);
  }
  const bool audience_ok =
      c.contains("aud") &&
      (c["aud"] == config_.audience ||
       (c["aud"].is_array() &&
        std::find(c["aud"].begin(), c["aud"].end(), Json(config_.audience)) != c["aud"].end()));
  if (!audience_ok) return InvalidArgument("the JWT is not for audience " + config_.audience);
  constexpr int64_t kLeeway = 60;
  const int64_t t = now.unix_seconds();
  if (!c.contains("exp") || !c["exp"].is_number() || c["exp"].get<double>() + kLeeway <= t) {
    return InvalidArgument("the JWT has expired (or has no exp)");
  }
  if (c.contains("nbf") && (!c["nbf"].is_number() || c["nbf"].get<double>() - kLeeway > t)) {
    return InvalidArgument("the JWT is not valid yet (nbf)");
  }
  // The claim's values (a list of groups, or one value) pick the mappings: the highest role,
  // and the union of their owners; a mapping without owners sees every owner.
  std::vector<std::string> values;
  if (c.contains(config_.claim)) {
    const Json& v = c[config_.claim];
    if (v.is_string()) values.push_back(v.get<std::string>());
    if (v.is_array()) {
      for (const Json& item : v) {
        if (item.is_string()) values.push_back(item.get<std::string>());
      }
    }
  }
  Caller caller;
  caller.role = Role::kViewer;
  bool mapped = false, unscoped = false;
  for (const OidcRoleMapping& m : config_.roles) {
    if (std::find(values.begin(), values.end(), m.value) == values.end()) continue;
    const Role role = ParseRole(m.role).value_or(Role::kViewer);
    if (!mapped || role > caller.role) caller.role = role;
    mapped = true;
    if (m.owners.empty()) unscoped = true;
    for (const std::string& owner : m.owners) caller.owners.push_back(owner);
  }
  if (!mapped) {
    return InvalidArgument("no role is mapped to the JWT's " + config_.claim);
  }
  if (unscoped) caller.owners.clear();
  const std::string sub =
      c.contains("sub") && c["sub"].is_string() ? c["sub"].get<std::string>() : "";
  const std::string name = c.contains(config_.name_claim) && c[config_.name_claim].is_string()
                               ? c[config_.name_claim].get<std::string>()
                               : sub;
  caller.name = "oidc:" + name;
  caller.rate_key = "oidc:" + sub;
  return caller;  // OIDC users never push remote_write: that is for tokens
}

}  // namespace tally
