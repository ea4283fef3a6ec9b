// Small string helpers shared by the parsers and the command line.
//
// Pure functions. Thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace tally {

// Removes ASCII spaces and tabs at both ends.
std::string_view Trim(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix);
bool EndsWith(std::string_view s, std::string_view suffix);
std::string ToLower(std::string_view s);
// Splits on `sep`, trimming each piece; empty pieces are dropped.
std::vector<std::string> SplitList(std::string_view s, char sep);
// Splits on `sep` keeping every field as it is, empty ones too ("a||b" -> "a", "", "b").
std::vector<std::string> SplitFields(std::string_view s, char sep);
// Whether `s` is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
// ASCII text is checked eight bytes at a time.
bool IsValidUtf8(std::string_view s);
// Appends `s` to *out with each byte that starts no valid UTF-8 sequence replaced by U+FFFD.
void AppendValidUtf8(std::string_view s, std::string* out);
// Whether `text` matches `pattern`, where '*' matches any run of characters (none included) and
// every other character itself. Linear in the sizes for the usual one or two stars.
bool WildcardMatch(std::string_view pattern, std::string_view text);
// Whether the text is a null placeholder of real exports: empty, NULL, null, Null.
bool IsNullText(std::string_view s);

// Hash for unordered containers keyed by std::string that are looked up by string_view
// without building a string (use with std::equal_to<>).
struct TransparentStringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace tally
