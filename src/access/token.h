// API tokens: "tly_<id>_<secret>", sent as `Authorization: Bearer <token>`. The id is public
// (lists, the audit log); the secret is 32 random bytes from OpenSSL's generator, shown once
// when minted and stored only as its SHA-256, compared in constant time.
//
// Stateless and thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tally/access_state.h"

namespace tally {

// Lowercase hex of SHA-256(data).
std::string Sha256Hex(std::string_view data);

// Lowercase hex of `bytes` random bytes. Errors: kInternal when the generator fails.
Result<std::string> RandomHex(size_t bytes);

struct MintedToken {
  TokenRecord record;  // with id and secret_hash set
  std::string token;   // the whole "tly_<id>_<secret>", to hand to its holder once
};

// A new token for `record` (its id and secret_hash are filled in). Errors: kInternal.
Result<MintedToken> MintToken(TokenRecord record);

struct PresentedToken {
  std::string id, secret;
};

// The parts of a "tly_<id>_<secret>" token; nullopt for any other text.
std::optional<PresentedToken> ParseToken(std::string_view text);

// The token of an Authorization header "Bearer <token>"; nullopt without one.
std::optional<std::string_view> BearerOf(std::string_view authorization);

// True when `secret` hashes to `stored_hash`, compared in constant time.
bool SecretMatches(std::string_view stored_hash, std::string_view secret);

}  // namespace tally
