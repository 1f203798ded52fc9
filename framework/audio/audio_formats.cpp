#include "audio/audio_formats.h"

#include <sndfile.h>

#include <set>

#include "core/text_list.h"

namespace audify {
namespace {

// The format codes libsndfile lists for a SFC_GET_FORMAT_*_COUNT / SFC_GET_FORMAT_* pair.
std::set<int> listed_formats(int count_command, int info_command) {
  int count = 0;
  sf_command(nullptr, count_command, &count, sizeof(count));
  std::set<int> formats;
  for (int i = 0; i < count; ++i) {
    SF_FORMAT_INFO info{};
    info.format = i;
    if (sf_command(nullptr, info_command, &info, sizeof(info)) == 0) formats.insert(info.format);
  }
  return formats;
}

}  // namespace

std::vector<std::string> readable_audio_formats() {
  const std::set<int> major = listed_formats(SFC_GET_FORMAT_MAJOR_COUNT, SFC_GET_FORMAT_MAJOR);
  const std::set<int> sub = listed_formats(SFC_GET_FORMAT_SUBTYPE_COUNT, SFC_GET_FORMAT_SUBTYPE);
  const auto has = [](const std::set<int>& s, int f) { return s.count(f) > 0; };
  struct Known {
    const char* name;
    int major, subtype;  // subtype 0: any
  };
  const Known known[] = {
      {"WAV", SF_FORMAT_WAV, 0},
      {"FLAC", SF_FORMAT_FLAC, 0},
      {"Ogg Vorbis", SF_FORMAT_OGG, SF_FORMAT_VORBIS},
      {"Opus", SF_FORMAT_OGG, SF_FORMAT_OPUS},
      {"MP3", SF_FORMAT_MPEG, SF_FORMAT_MPEG_LAYER_III},
      {"AIFF", SF_FORMAT_AIFF, 0},
      {"CAF", SF_FORMAT_CAF, 0},
  };
  std::vector<std::string> out;
  for (const Known& k : known)
    if (has(major, k.major) && (k.subtype == 0 || has(sub, k.subtype))) out.emplace_back(k.name);
  return out;
}

std::string readable_audio_formats_text() {
  return join_alternatives(readable_audio_formats());
}

}  // namespace audify
