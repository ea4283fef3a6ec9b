// The built dashboard (web/dist) compiled into the binary by scripts/embed_web.cmake, so
// `tally serve` serves it from any working directory. Empty when the binary was built before
// `npm run build` (then serve needs --web).
#pragma once

#include <span>
#include <string_view>

namespace tally {

struct EmbeddedFile {
  std::string_view path;  // "/index.html", "/assets/index-XXXX.js"
  std::string_view data;
};

std::span<const EmbeddedFile> EmbeddedWebFiles();

}  // namespace tally
