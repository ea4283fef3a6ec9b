// CUR manifests: a delivery of one assembly lists its report files in <report>-Manifest.json.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/strings.h"
#include "ingest/billing/aws_cur/aws_cur_reader.h"

namespace tally {

namespace fs = std::filesystem;

namespace {

// The report files named by the manifest at `manifest`, looked up by file name under `dir`.
Result<std::vector<std::string>> FilesOfManifest(const fs::path& manifest, const fs::path& dir) {
  std::ifstream in(manifest);
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("reportKeys") ||
      !doc["reportKeys"].is_array()) {
    return InvalidArgument(manifest.string() + ": not a CUR manifest (no reportKeys list)");
  }
  std::vector<std::string> files;
  for (const auto& key : doc["reportKeys"]) {
    if (!key.is_string()) return InvalidArgument(manifest.string() + ": a reportKey is not text");
    std::string name = fs::path(key.get<std::string>()).filename().string();
    std::string found;
    std::error_code ec;
    for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
      if (entry.is_regular_file() && entry.path().filename() == name) {
        found = entry.path().string();
        break;
      }
    }
    if (found.empty()) {
      return NotFound(manifest.string() + ": lists " + name + ", which is not under " +
                      dir.string());
    }
    files.push_back(found);
  }
  return files;
}

}  // namespace

Result<std::vector<std::string>> ExpandAwsCurPaths(std::span<const std::string> paths) {
  std::vector<std::string> out;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
      out.push_back(path);
      continue;
    }
    std::vector<fs::path> manifests;
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      if (entry.is_regular_file() && EndsWith(entry.path().filename().string(), "-Manifest.json")) {
        manifests.push_back(entry.path());
      }
    }
    if (manifests.empty()) {
      out.push_back(path);  // a plain directory of CSV files
      continue;
    }
    std::sort(manifests.begin(), manifests.end());
    for (const fs::path& manifest : manifests) {
      TALLY_ASSIGN_OR_RETURN(std::vector<std::string> files, FilesOfManifest(manifest, path));
      out.insert(out.end(), files.begin(), files.end());
    }
  }
  return out;
}

}  // namespace tally
