// See compute_capability.h.
#include "compute_capability.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <spdlog/spdlog.h>

#include <charconv>
#include <mutex>

namespace audify::cuda {
namespace {

bool parse_int(std::string_view text, int& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

// One list entry, or nullopt when it is not "<digits>[a][-real|-virtual]".
std::optional<CudaArch> parse_arch(std::string_view entry) {
  CudaArch arch{0, true, true, false};
  if (const auto dash = entry.find('-'); dash != std::string_view::npos) {
    const std::string_view kind = entry.substr(dash + 1);
    if (kind == "real")
      arch.ptx = false;
    else if (kind == "virtual")
      arch.machine_code = false;
    else
      return std::nullopt;
    entry = entry.substr(0, dash);
  }
  if (!entry.empty() && entry.back() == 'a') {
    arch.arch_specific = true;
    entry.remove_suffix(1);
  }
  if (!parse_int(entry, arch.version) || arch.version < 10) return std::nullopt;
  return arch;
}

int version_of(ComputeCapability cc) {
  return cc.major * 10 + cc.minor;
}

bool runs_on(const CudaArch& arch, ComputeCapability cc) {
  const int v = version_of(cc);
  if (arch.arch_specific) return v == arch.version;
  if (arch.machine_code && cc.major == arch.version / 10 && v >= arch.version) return true;
  return arch.ptx && v >= arch.version;
}

}  // namespace

std::vector<CudaArch> parse_cuda_architectures(std::string_view list) {
  std::vector<CudaArch> archs;
  while (!list.empty()) {
    const std::size_t end = list.find_first_of(";, ");
    const std::string_view entry = list.substr(0, end);
    list = end == std::string_view::npos ? std::string_view{} : list.substr(end + 1);
    if (entry.empty()) continue;
    const std::optional<CudaArch> arch = parse_arch(entry);
    if (!arch) return {};
    archs.push_back(*arch);
  }
  return archs;
}

std::vector<CudaArch> built_cuda_architectures() {
  return parse_cuda_architectures(AUDIFY_CUDA_ARCHITECTURES);
}

std::string describe(const std::vector<CudaArch>& archs) {
  std::vector<std::string> machine, ptx;
  for (const CudaArch& a : archs) {
    const std::string suffix = a.arch_specific ? "a" : "";
    if (a.machine_code) machine.push_back(fmt::format("sm_{}{}", a.version, suffix));
    if (a.ptx) ptx.push_back(fmt::format("compute_{}{}", a.version, suffix));
  }
  std::string text =
      machine.empty() ? "no machine code" : fmt::format("{}", fmt::join(machine, ", "));
  if (!ptx.empty()) text += fmt::format(" and PTX {}", fmt::join(ptx, ", "));
  return text;
}

std::string unsupported_reason(ComputeCapability cc, const std::vector<CudaArch>& archs,
                               std::string_view device_name) {
  if (archs.empty()) return {};
  for (const CudaArch& a : archs)
    if (runs_on(a, cc)) return {};
  return fmt::format(
      "{} has compute capability {}.{}, which this build's GPU code ({}) cannot run on",
      device_name, cc.major, cc.minor, describe(archs));
}

std::string check_built_for(ComputeCapability cc, std::string_view device_name) {
  std::string why = unsupported_reason(cc, built_cuda_architectures(), device_name);
  static std::once_flag warned;
  if (!why.empty()) std::call_once(warned, [&] { spdlog::warn("cuda: {}", why); });
  return why;
}

std::optional<ComputeCapability> parse_compute_capability(std::string_view text) {
  const std::size_t dot = text.find('.');
  ComputeCapability cc;
  if (dot == std::string_view::npos || !parse_int(text.substr(0, dot), cc.major) ||
      !parse_int(text.substr(dot + 1), cc.minor) || cc.major < 1 || cc.minor < 0 || cc.minor > 9)
    return std::nullopt;
  return cc;
}

}  // namespace audify::cuda
