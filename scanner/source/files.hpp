// Plain files: enumerate a folder (no .git folders, no symlinks followed) and read files.
#pragma once

#include "model/diagnostics.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace ks {

// Calls `sink(absolute_path, display_path)` for every regular file under `root`, sorted per folder.
// Unreadable folders are warned about and skipped.
void enumerate_files(const std::filesystem::path& root, Diagnostics& diag,
                     const std::function<void(const std::filesystem::path&, std::string)>& sink);

enum class FileStatus { ok, unreadable, too_large };

// Reads a whole file into `buf` (reused by the caller). `detail` explains a failure.
FileStatus read_file(const std::filesystem::path& p, std::uint64_t max_size, std::string& buf, std::string& detail);

// Reads all of standard input.
std::string read_stdin();

// The git blob id of some bytes, as hex (so plain files and blobs share ids).
std::string blob_id_of(std::string_view data);

}  // namespace ks
