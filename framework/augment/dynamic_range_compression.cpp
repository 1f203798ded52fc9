#include "augment/dynamic_range_compression.h"

#include <sox.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>

#include "core/error.h"

namespace audify {
namespace {

struct DrcPreset {
  std::string_view name;
  std::vector<std::string> compand_args;  // attack,decay  soft-knee:points  [gain [volume [delay]]]
};

const std::array<DrcPreset, 6>& presets() {
  static const std::array<DrcPreset, 6> p = {{
      {"radio", {"0.01,1", "-90,-90,-70,-70,-60,-20,0,0", "-5"}},
      {"film standard",
       {"0.1,0.3", "-90,-90,-70,-64,-43,-37,-31,-31,-21,-21,0,-20", "0", "0", "0.1"}},
      {"film light", {"0.1,0.3", "-90,-90,-70,-64,-53,-47,-41,-41,-21,-21,0,-20", "0", "0", "0.1"}},
      {"music standard",
       {"0.1,0.3", "-90,-90,-70,-58,-55,-43,-31,-31,-21,-21,0,-20", "0", "0", "0.1"}},
      {"music light",
       {"0.1,0.3", "-90,-90,-70,-58,-65,-53,-41,-41,-21,-21,0,-11", "0", "0", "0.1"}},
      {"speech", {"0.1,0.3", "-90,-90,-70,-55,-50,-35,-31,-31,-21,-21,0,-20", "0", "0", "0.1"}},
  }};
  return p;
}

const DrcPreset& preset_named(std::string_view name) {
  for (const DrcPreset& p : presets())
    if (p.name == name) return p;
  std::string known;
  for (const DrcPreset& p : presets()) known += (known.empty() ? "" : ", ") + std::string(p.name);
  fail("augment.drc_presets: unknown preset '{}' (one of: {})", name, known);
}

// libsox keeps global state (sox_init, its effect handlers): one compression at a time.
std::mutex& sox_mutex() {
  static std::mutex m;
  return m;
}

void ensure_sox_initialised() {
  static const int rc = [] {
    const int r = sox_init();
    sox_get_globals()->verbosity = 1;  // failures only, never progress chatter on stderr
    return r;
  }();
  if (rc != SOX_SUCCESS) fail("dynamic-range compression: libsox failed to initialise");
}

struct FormatCloser {
  void operator()(sox_format_t* f) const { sox_close(f); }
};
struct ChainDeleter {
  void operator()(sox_effects_chain_t* c) const { sox_delete_effects_chain(c); }
};

void add_effect(sox_effects_chain_t* chain, sox_signalinfo_t* signal,
                const sox_signalinfo_t* out_signal, const char* name, int argc, char** argv) {
  const sox_effect_handler_t* handler = sox_find_effect(name);
  if (handler == nullptr) fail("dynamic-range compression: libsox has no '{}' effect", name);
  sox_effect_t* e = sox_create_effect(handler);
  const bool ok = sox_effect_options(e, argc, argv) == SOX_SUCCESS &&
                  sox_add_effect(chain, e, signal, out_signal) == SOX_SUCCESS;
  std::free(e);  // sox_add_effect copies the effect
  if (!ok) fail("dynamic-range compression: libsox refused the '{}' effect", name);
}

}  // namespace

std::vector<std::string> drc_preset_names() {
  std::vector<std::string> names;
  for (const DrcPreset& p : presets()) names.emplace_back(p.name);
  return names;
}

bool is_drc_preset(std::string_view name) {
  for (const DrcPreset& p : presets())
    if (p.name == name) return true;
  return false;
}

std::vector<float> compress_dynamic_range(std::span<const float> y, int sr,
                                          std::string_view preset_name) {
  const DrcPreset& preset = preset_named(preset_name);
  if (y.empty()) return {};
  const std::lock_guard lock(sox_mutex());
  ensure_sox_initialised();

  sox_signalinfo_t signal{static_cast<sox_rate_t>(sr), 1, 32, y.size(), nullptr};
  sox_encodinginfo_t encoding{};
  encoding.encoding = SOX_ENCODING_FLOAT;
  encoding.bits_per_sample = 32;
  encoding.reverse_bytes = encoding.reverse_nibbles = encoding.reverse_bits = sox_option_default;
  std::unique_ptr<sox_format_t, FormatCloser> in(
      sox_open_mem_read(const_cast<float*>(y.data()), y.size_bytes(), &signal, &encoding, "f32"));
  if (!in) fail("dynamic-range compression: libsox cannot read the samples");

  char* out_bytes = nullptr;
  std::size_t out_size = 0;
  std::unique_ptr<sox_format_t, FormatCloser> out(
      sox_open_memstream_write(&out_bytes, &out_size, &in->signal, &encoding, "f32", nullptr));
  if (!out) fail("dynamic-range compression: libsox cannot write the samples");
  {
    std::unique_ptr<sox_effects_chain_t, ChainDeleter> chain(
        sox_create_effects_chain(&in->encoding, &out->encoding));
    sox_signalinfo_t interm = in->signal;
    char* in_arg = reinterpret_cast<char*>(in.get());
    add_effect(chain.get(), &interm, &in->signal, "input", 1, &in_arg);
    std::vector<char*> args;
    for (const std::string& a : preset.compand_args) args.push_back(const_cast<char*>(a.c_str()));
    add_effect(chain.get(), &interm, &in->signal, "compand", static_cast<int>(args.size()),
               args.data());
    char* out_arg = reinterpret_cast<char*>(out.get());
    add_effect(chain.get(), &interm, &out->signal, "output", 1, &out_arg);
    sox_flow_effects(chain.get(), nullptr, nullptr);
  }
  out.reset();  // flushes the memory stream into out_bytes / out_size
  std::vector<float> result(out_size / sizeof(float));
  if (out_bytes != nullptr) std::memcpy(result.data(), out_bytes, result.size() * sizeof(float));
  std::free(out_bytes);
  return result;
}

}  // namespace audify
