#include "access/token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace tally {
namespace {

constexpr size_t kIdBytes = 6;       // 12 hex digits: names a token, guessing it gains nothing
constexpr size_t kSecretBytes = 32;  // 256 bits

std::string Hex(const unsigned char* data, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 15];
  }
  return out;
}

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), digest, &n, EVP_sha256(), nullptr);
  return Hex(digest, n);
}

Result<std::string> RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    return Internal("the random generator failed");
  }
  return Hex(reinterpret_cast<const unsigned char*>(raw.data()), bytes);
}

Result<MintedToken> MintToken(TokenRecord record) {
  TALLY_ASSIGN_OR_RETURN(std::string id, RandomHex(kIdBytes));
  TALLY_ASSIGN_OR_RETURN(std::string secret, RandomHex(kSecretBytes));
  record.id = id;
  record.secret_hash = Sha256Hex(secret);
  return MintedToken{std::move(record), "tly_" + id + "_" + secret};
}

std::optional<PresentedToken> ParseToken(std::string_view text) {
  if (!text.starts_with("tly_")) return std::nullopt;
  text.remove_prefix(4);
  const size_t cut = text.find('_');
  if (cut != kIdBytes * 2 || text.size() != cut + 1 + kSecretBytes * 2) return std::nullopt;
  const std::string_view id = text.substr(0, cut), secret = text.substr(cut + 1);
  if (!IsHex(id) || !IsHex(secret)) return std::nullopt;
  return PresentedToken{std::string(id), std::string(secret)};
}

std::optional<std::string_view> BearerOf(std::string_view authorization) {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i) {  // the scheme is case-insensitive (RFC 9110)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i]))) {
      return std::nullopt;
    }
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) return std::nullopt;
  return token;
}

bool SecretMatches(std::string_view stored_hash, std::string_view secret) {
  const std::string presented = Sha256Hex(secret);
  return stored_hash.size() == presented.size() &&
         CRYPTO_memcmp(stored_hash.data(), presented.data(), presented.size()) == 0;
}

}  // namespace tally
