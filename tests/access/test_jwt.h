// Test helper: an identity provider in miniature. It makes an RSA (RS256) or P-256 (ES256) key
// with OpenSSL, publishes it as a JWKS and signs JWTs with it, as an OIDC provider would.
#pragma once

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <nlohmann/json.hpp>
#include <string>

namespace tally::testing {

inline std::string Base64Url(const std::string& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v =
        (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (bytes.size() - i == 1) {
    const uint32_t v = uint8_t(bytes[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (bytes.size() - i == 2) {
    const uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

class TestIdp {
 public:
  // alg: "RS256" or "ES256".
  explicit TestIdp(std::string alg, std::string kid = "test-key")
      : alg_(std::move(alg)), kid_(std::move(kid)) {
    key_ = alg_ == "RS256" ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
  }
  ~TestIdp() { EVP_PKEY_free(key_); }
  TestIdp(const TestIdp&) = delete;
  TestIdp& operator=(const TestIdp&) = delete;

  std::string Jwks() const {
    nlohmann::json key{{"kid", kid_}, {"use", "sig"}, {"alg", alg_}};
    if (alg_ == "RS256") {
      key["kty"] = "RSA";
      key["n"] = Base64Url(Param(OSSL_PKEY_PARAM_RSA_N));
      key["e"] = Base64Url(Param(OSSL_PKEY_PARAM_RSA_E));
    } else {
      key["kty"] = "EC";
      key["crv"] = "P-256";
      key["x"] = Base64Url(Param(OSSL_PKEY_PARAM_EC_PUB_X, 32));
      key["y"] = Base64Url(Param(OSSL_PKEY_PARAM_EC_PUB_Y, 32));
    }
    return nlohmann::json{{"keys", {key}}}.dump();
  }

  // A JWT of `claims`, signed (header alg and kid as given; "" keeps this key's).
  std::string Sign(const nlohmann::json& claims, std::string alg = "", std::string kid = "") const {
    const nlohmann::json header{
        {"alg", alg.empty() ? alg_ : alg}, {"typ", "JWT"}, {"kid", kid.empty() ? kid_ : kid}};
    const std::string signed_text = Base64Url(header.dump()) + "." + Base64Url(claims.dump());
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t n = 0;
    EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_);
    EVP_DigestSign(ctx, nullptr, &n, reinterpret_cast<const unsigned char*>(signed_text.data()),
                   signed_text.size());
    std::string sig(n, '\0');
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &n,
                   reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size());
    sig.resize(n);
    EVP_MD_CTX_free(ctx);
    if (alg_ == "ES256") sig = RawEcdsa(sig);
    return signed_text + "." + Base64Url(sig);
  }

 private:
  std::string Param(const char* name, size_t width = 0) const {
    BIGNUM* bn = nullptr;
    EVP_PKEY_get_bn_param(key_, name, &bn);
    std::string out(width ? width : static_cast<size_t>(BN_num_bytes(bn)), '\0');
    BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
    BN_free(bn);
    return out;
  }
  // DER ECDSA-Sig-Value to JWS's r || s.
  static std::string RawEcdsa(const std::string& der) {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
    std::string out(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(out.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(out.data()) + 32, 32);
    ECDSA_SIG_free(sig);
    return out;
  }

  std::string alg_, kid_;
  EVP_PKEY* key_ = nullptr;
};

}  // namespace tally::testing
