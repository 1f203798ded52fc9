// What this build's libsndfile decodes, asked of the library itself, so the serve page and its
// errors list the formats that actually work here (MP3 and Opus need libsndfile >= 1.1 built with
// mpg123 and libopus; Debian 12's is).
#pragma once

#include <string>
#include <vector>

namespace audify {

// The common formats libsndfile reads here, most common first: some of "WAV", "FLAC",
// "Ogg Vorbis", "Opus", "MP3", "AIFF", "CAF"; libsndfile reads rarer ones too (AU, W64, RF64...).
std::vector<std::string> readable_audio_formats();

// The same as text: "WAV, FLAC, Ogg Vorbis, Opus, MP3, AIFF or CAF".
std::string readable_audio_formats_text();

}  // namespace audify
