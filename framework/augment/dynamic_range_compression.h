// Dynamic-range compression as Salamon & Bello 2017 applied it through muda: sox's `compand`
// effect (libsox) with muda's six presets (muda/deformers/data/drc_presets.json, after the Dolby
// E profiles): radio, film standard, film light, music standard, music light, speech.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace audify {

// The preset names, in muda's order.
std::vector<std::string> drc_preset_names();
bool is_drc_preset(std::string_view name);

// `samples` (mono, in [-1, 1]) through sox's compand with `preset`'s arguments; throws
// audify::Error for an unknown preset or when libsox fails.
std::vector<float> compress_dynamic_range(std::span<const float> samples, int sample_rate,
                                          std::string_view preset);

}  // namespace audify
