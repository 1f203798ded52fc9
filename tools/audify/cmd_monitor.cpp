// `audify monitor`: live classification and sound level of a long recording or a stream on stdin,
// one line per window, flushed as it is printed.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>

#include "audio_limit_options.h"
#include "commands.h"
#include "core/error.h"
#include "serve/monitor.h"

namespace audify::cli {
namespace {

struct MonitorArgs {
  std::string model;
  std::string input;
  MonitorOptions options;
  double calibration_db = 0;
  bool json = false;
  bool raw = false;
  int rate = 0;
  int channels = 1;
  std::string format = "s16le";
  double stall_seconds = 10.0;
  bool threshold_given = false;
};

// A descriptor the monitor opened itself (a FIFO or a --raw file), closed at the end.
struct OwnedFd {
  int fd = -1;
  ~OwnedFd() {
    if (fd > 2) ::close(fd);
  }
};

std::unique_ptr<AudioStream> open_input(const MonitorArgs& args, OwnedFd& owned) {
  PcmFormat pcm;
  if (args.raw) {
    if (args.rate <= 0) fail("--raw needs --rate (Hz) of the PCM stream");
    if (args.rate < kMinSampleRate || args.rate > kMaxSampleRate)
      fail("--rate {}: a PCM stream's sample rate must be in [{}, {}] Hz", args.rate,
           kMinSampleRate, kMaxSampleRate);
    pcm = {args.rate, args.channels, parse_pcm_encoding(args.format)};
  }
  int fd = STDIN_FILENO;
  std::string name = "stdin";
  if (args.input != "-") {
    struct stat st {};
    const bool regular = ::stat(args.input.c_str(), &st) == 0 && S_ISREG(st.st_mode);
    if (regular && !args.raw) return open_file_stream(args.input);
    owned.fd = ::open(args.input.c_str(), O_RDONLY);
    if (owned.fd < 0) fail("{}: cannot open: {}", args.input, std::strerror(errno));
    fd = owned.fd;
    name = args.input;
  }
  if (args.raw) return open_raw_stream(fd, name, pcm, args.stall_seconds);
  return open_wav_stream(fd, name, args.stall_seconds);
}

void run_monitor_command(MonitorArgs args) {
  if (!args.raw && args.rate > 0) fail("--rate is for headerless PCM; add --raw");
  if (args.options.alert_classes.empty() && args.threshold_given)
    fail("--threshold needs --alert CLASS[,CLASS...]");
  const std::unique_ptr<TrainedModel> model = TrainedModel::load(args.model);
  // The model and alert names are checked before the stream is touched.
  resolve_alert_classes(args.options.alert_classes, model->class_names());
  OwnedFd owned;
  const std::unique_ptr<AudioStream> stream = open_input(args, owned);
  fmt::print(stderr, "monitor: {} ({}), window {} s, hop {} s\n", stream->describe(), model->id(),
             args.options.window_seconds, args.options.hop_seconds);
  const std::vector<std::string>& classes = model->class_names();
  const MonitorSummary summary = run_monitor(*stream, *model, args.options, [&](const auto& w) {
    const std::string line =
        args.json ? format_window_json(w, classes) : format_window_text(w, classes);
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);  // a live monitor: each window is out as soon as it is known
  });
  std::string how = summary.end == StreamEnd::stalled
                        ? fmt::format("stalled (no data for {} s)", args.stall_seconds)
                        : "ended";
  if (summary.unclassified_tail_seconds > 0)
    how +=
        fmt::format("; the last {:.2f} s did not fill a window", summary.unclassified_tail_seconds);
  fmt::print(stderr, "monitor: {} windows over {:.1f} s; stream {}\n", summary.windows,
             summary.seconds_read, how);
}

}  // namespace

void add_monitor_command(CLI::App& app) {
  auto args = std::make_shared<MonitorArgs>();
  CLI::App* cmd = app.add_subcommand(
      "monitor",
      "Slide a window over a long recording or a live stream on stdin and print, per window, the "
      "top class, its probability, and the level in dBFS and A-weighted dB(A)FS.\n"
      "  audify monitor --model outputs/default/<run> street.wav\n"
      "  arecord -f S16_LE -r 44100 -c 1 | audify monitor --model RUN - --alert gun_shot,siren\n"
      "  ... | audify monitor --model RUN --raw --rate 44100 --channels 1 --format s16le -");
  cmd->add_option("--model", args->model, "run directory (or its model.safetensors)")->required();
  cmd->add_option("input", args->input,
                  "audio file (any format libsndfile reads), a FIFO, or - for stdin (WAV, or "
                  "headerless PCM with --raw)")
      ->required();
  cmd->add_option("--window", args->options.window_seconds, "window length, seconds")
      ->capture_default_str();
  cmd->add_option("--hop", args->options.hop_seconds, "seconds between window starts")
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "one JSON object per window (JSON lines)");
  cmd->add_option("--alert", args->options.alert_classes,
                  "classes that mark a window ALERT (comma-separated), e.g. gun_shot,siren")
      ->delimiter(',');
  cmd->add_option("--threshold", args->options.alert_threshold,
                  "probability at or above which an --alert class alerts")
      ->capture_default_str();
  cmd->add_option("--calibration", args->calibration_db,
                  "dB SPL that a 0 dBFS sine reaches at the microphone (e.g. 94 - the dBFS a "
                  "94 dB calibrator reads); adds dB(A) SPL to each line");
  cmd->add_flag("--raw", args->raw, "stdin (or the FIFO) is headerless PCM: give --rate");
  cmd->add_option("--rate", args->rate, "sample rate of --raw PCM, Hz");
  cmd->add_option("--channels", args->channels, "interleaved channels of --raw PCM")
      ->capture_default_str();
  cmd->add_option("--format", args->format, "--raw sample format: u8, s16le, s24le, s32le, f32le")
      ->capture_default_str();
  add_answer_limit_options(*cmd, args->options.limits);
  cmd->add_option("--stall-timeout", args->stall_seconds,
                  "end cleanly when a stream sends nothing for this many seconds (0: wait forever)")
      ->capture_default_str();
  cmd->callback([args, cmd] {
    MonitorArgs resolved = *args;
    if (cmd->count("--calibration") > 0) resolved.options.calibration_db = args->calibration_db;
    resolved.threshold_given = cmd->count("--threshold") > 0;
    run_monitor_command(std::move(resolved));
  });
}

}  // namespace audify::cli
