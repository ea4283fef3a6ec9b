// OIDC sign-in: an identity provider's JWT, verified against its published keys (a JWKS),
// becomes a Caller whose role and owner subtrees come from a claim (e.g. groups) through the
// mappings of tally.yaml's auth: oidc: section.
//
// Verification (RFC 7515, 7517, 7519): the signature with OpenSSL (RS256: RSA PKCS#1 v1.5 with
// SHA-256; ES256: ECDSA P-256 with SHA-256; nothing else, "none" never), the key chosen by
// `kid`; then `iss` equal to the issuer, `aud` naming the audience, `exp` in the future and
// `nbf` (if any) in the past, with 60 seconds' leeway for clocks. The keys are read once, when
// the verifier is made (at start and when tally.yaml is read again).
//
// Thread-safe once made (const).
#pragma once

#include <openssl/evp.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "access/caller.h"
#include "config/config.h"

namespace tally {

class OidcVerifier {
 public:
  // `jwks_json` is the provider's key set. Errors: kInvalidArgument when it holds no usable
  // key (RSA, or EC on P-256) or is not JSON.
  static Result<std::unique_ptr<OidcVerifier>> Make(const OidcConfig& config,
                                                    std::string_view jwks_json);
  ~OidcVerifier();

  // The caller `jwt` signs in as. Errors: kInvalidArgument saying why not (bad form, unknown
  // key, bad signature, wrong issuer or audience, expired, no role mapped).
  Result<Caller> Verify(std::string_view jwt, Timestamp now) const;

 private:
  OidcVerifier() = default;
  OidcConfig config_;
  struct Key {
    std::string alg;  // RS256 or ES256
    EVP_PKEY* pkey = nullptr;
  };
  std::map<std::string, Key> keys_;  // by kid ("" for a key without one)
};

// base64url without padding (RFC 4648 section 5) to bytes; nullopt for bad text.
std::optional<std::string> DecodeBase64Url(std::string_view text);

}  // namespace tally
