// An audio file's bytes, read within AudioLimits whatever the path names: a regular file over
// max_bytes is refused from its size (with what its header says, when that says more), and a
// pipe, a device (/dev/zero) or anything else whose size is unknown is read up to max_bytes and
// refused past it. Nothing is read whole before it is known to fit.
#pragma once

#include <filesystem>
#include <string>

#include "audio/audio_limits.h"

namespace audify {

// Throws AudioError (empty, too_big, not_audio, too_long) or Error (missing, a folder,
// unreadable), naming the file.
std::string read_audio_file(const std::filesystem::path& path, const AudioLimits& limits);

}  // namespace audify
