#!/usr/bin/env python3
"""Regenerates the seed corpus of the fuzz targets (tests/fuzz/corpus/<target>/).

Seeds are small (a few KB): the shared UrbanSound8K sample's clips trimmed to their first frames
with every header chunk kept and the sizes fixed, the same audio re-encoded by libsndfile (FLAC,
Ogg Vorbis, float WAV, AIFF...), the tests' crafted files (streamed WAV sizes, NaN samples, a
header cut off), HTTP uploads, the repository's experiments with overrides, and feature-table
snippets. Standard library only (libsndfile through ctypes). Without ../shared the real-clip seeds
are left as they are.

Usage: tests/fuzz/make_corpus.py [--shared DIR]
"""
import argparse
import ctypes
import ctypes.util
import os
import shutil
import struct
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CORPUS = HERE / "corpus"
FRAMES = 1024  # frames kept of each real clip

# (slice, what it shows): one clip per format of the sample.
REAL_CLIPS = [
    ("fold1/17592-5-0-0.wav", "pcm16_stereo_44k"),
    ("fold1/46669-4-0-0.wav", "pcm16_stereo_48k"),
    ("fold1/40722-8-0-0.wav", "u8_mono_11k"),
    ("fold1/54858-3-0-0.wav", "pcm24_extensible_fact"),
]


class SfInfo(ctypes.Structure):
    _fields_ = [("frames", ctypes.c_int64), ("samplerate", ctypes.c_int),
                ("channels", ctypes.c_int), ("format", ctypes.c_int),
                ("sections", ctypes.c_int), ("seekable", ctypes.c_int)]


SF_WRITE = 0x20
SF = {"WAV": 0x010000, "AIFF": 0x020000, "AU": 0x030000, "W64": 0x0B0000, "FLAC": 0x170000,
      "OGG": 0x200000, "RF64": 0x220000, "PCM_S8": 0x1, "PCM_16": 0x2, "PCM_24": 0x3,
      "PCM_32": 0x4, "PCM_U8": 0x5, "FLOAT": 0x6, "DOUBLE": 0x7, "ULAW": 0x10, "ALAW": 0x11,
      "IMA_ADPCM": 0x12, "MS_ADPCM": 0x13, "VORBIS": 0x60}

sndfile = ctypes.CDLL(ctypes.util.find_library("sndfile") or "libsndfile.so.1")
sndfile.sf_open.restype = ctypes.c_void_p
sndfile.sf_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(SfInfo)]
sndfile.sf_writef_float.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_float), ctypes.c_int64]
sndfile.sf_close.argtypes = [ctypes.c_void_p]


def encode(samples, rate, channels, container, subtype):
    """Bytes of `samples` (interleaved floats) written by libsndfile as container/subtype."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "clip")
        info = SfInfo(0, rate, channels, SF[container] | SF[subtype], 0, 0)
        handle = sndfile.sf_open(path.encode(), SF_WRITE, ctypes.byref(info))
        if not handle:
            raise RuntimeError(f"libsndfile cannot write {container} {subtype}")
        buffer = (ctypes.c_float * len(samples))(*samples)
        sndfile.sf_writef_float(handle, buffer, len(samples) // channels)
        sndfile.sf_close(handle)
        return Path(path).read_bytes()


def chunks(wav):
    """(id, body) of each chunk after a RIFF/WAVE header."""
    out, i = [], 12
    while i + 8 <= len(wav):
        cid, size = wav[i:i + 4], struct.unpack("<I", wav[i + 4:i + 8])[0]
        out.append((cid, wav[i + 8:i + 8 + size]))
        i += 8 + size + (size & 1)
    return out


def riff(parts, riff_size=None):
    body = b"WAVE" + b"".join(cid + struct.pack("<I", len(data)) + data + b"\0" * (len(data) & 1)
                              for cid, data in parts)
    return b"RIFF" + struct.pack("<I", len(body) if riff_size is None else riff_size) + body


def trimmed(wav, frames):
    """The clip's first `frames` frames, every other chunk kept, the sizes made right."""
    parts = chunks(wav)
    fmt = dict(parts)[b"fmt "]
    block_align = struct.unpack("<H", fmt[12:14])[0]
    return riff([(cid, data[:frames * block_align] if cid == b"data" else data)
                 for cid, data in parts])


def with_sizes(wav, size_field):
    """A WAV as a streaming writer sends it: RIFF and data sizes set to `size_field`."""
    out = bytearray(wav)
    out[4:8] = struct.pack("<I", size_field)
    data = out.find(b"data", 12)
    out[data + 4:data + 8] = struct.pack("<I", size_field)
    return bytes(out)


def pcm16_floats(wav):
    """Interleaved floats, rate and channels of a PCM_16 WAV (the stdlib has no decoder for all)."""
    parts = dict(chunks(wav))
    fmt = parts[b"fmt "]
    channels, rate = struct.unpack("<HI", fmt[2:8])
    data = parts[b"data"]
    values = struct.unpack(f"<{len(data) // 2}h", data[:len(data) // 2 * 2])
    return [v / 32768.0 for v in values], rate, channels


def write(target, name, data):
    path = CORPUS / target / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())


def audio_seeds(shared):
    """Seeds of both audio targets: {name: bytes}."""
    seeds = {}
    tone = [0.5 * ((i * 7) % 64 - 32) / 32 for i in range(2 * 512)]  # a sawtooth, stereo
    real = {}
    audio_dir = shared / "data" / "urbansound8k-sample" / "audio" if shared else None
    for clip, label in REAL_CLIPS:
        if audio_dir and (audio_dir / clip).exists():
            real[label] = trimmed((audio_dir / clip).read_bytes(), FRAMES)
    seeds.update({f"real_{label}.wav": data for label, data in real.items()})
    source = real.get("pcm16_stereo_44k")
    samples, rate, channels = pcm16_floats(source) if source else (tone, 22050, 2)
    samples = samples[:2 * 512]
    for container, subtype in [("WAV", "FLOAT"), ("WAV", "PCM_24"), ("WAV", "PCM_32"),
                               ("WAV", "PCM_U8"), ("WAV", "ULAW"), ("WAV", "IMA_ADPCM"),
                               ("WAV", "MS_ADPCM"), ("FLAC", "PCM_16"), ("OGG", "VORBIS"),
                               ("AIFF", "PCM_16"), ("AU", "ALAW"), ("W64", "DOUBLE"),
                               ("RF64", "PCM_16")]:
        seeds[f"{container.lower()}_{subtype.lower()}.{container.lower()}"] = encode(
            samples, rate, channels, container, subtype)
    mono = encode(samples[::2], rate, 1, "WAV", "PCM_16")
    seeds["mono_pcm16.wav"] = mono
    seeds["streamed_size_0.wav"] = with_sizes(mono, 0)
    seeds["streamed_size_ffffffff.wav"] = with_sizes(mono, 0xFFFFFFFF)
    seeds["header_only.wav"] = mono[:44]
    seeds["cut_in_half.wav"] = mono[:len(mono) // 2]
    seeds["nan_float.wav"] = encode([0.1, float("nan"), 0.2], 22050, 1, "WAV", "FLOAT")
    parts = chunks(mono)
    seeds["list_chunk_first.wav"] = riff([(b"LIST", b"INFOISFT\x06\0\0\0audify")] + parts)
    seeds["data_before_fmt.wav"] = riff(list(reversed(parts)))
    seeds["text.wav"] = b"this is not audio, just some text in a file"
    return seeds


def upload_seeds(wav):
    def request(target, headers, body):
        head = f"POST {target} HTTP/1.1\r\nHost: localhost\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in headers)
        return head.encode() + b"\r\n" + body

    boundary = "----audifyBoundary7MA4YWxkTrZu0gW"

    def multipart(fields):
        body = b""
        for name, filename, data in fields:
            disposition = f'form-data; name="{name}"' + (
                f'; filename="{filename}"' if filename else "")
            body += (f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
                     "Content-Type: audio/wav\r\n\r\n").encode() + data + b"\r\n"
        return body + f"--{boundary}--\r\n".encode()

    form = ("Content-Type", f"multipart/form-data; boundary={boundary}")
    chunked = b"".join(f"{len(wav[i:i + 256]):x}\r\n".encode() + wav[i:i + 256] + b"\r\n"
                       for i in range(0, len(wav), 256)) + b"0\r\n\r\n"
    return {
        "multipart_file.http": request("/api/classify", [form], multipart([("file", "dog.wav", wav)])),
        "multipart_two_fields.http": request(
            "/api/classify?plots=0", [form],
            multipart([("note", "", b"hello"), ("file", "siren.wav", wav), ("file", "x.wav", b"x")])),
        "multipart_no_file.http": request("/api/classify", [form],
                                          multipart([("audio", "a.wav", wav)])),
        "raw_body.http": request("/api/classify?name=clip.wav", [("Content-Type", "audio/wav")], wav),
        "raw_chunked.http": request("/api/classify", [("Transfer-Encoding", "chunked")], chunked),
        "raw_short_body.http": request("/api/classify", [("Content-Length", "9000")], wav[:100]),
        "empty_body.http": request("/api/classify", [("Content-Length", "0")], b""),
    }


def config_seeds():
    seeds = {}
    for experiment in sorted((ROOT / "experiments").glob("*.toml")):
        seeds[experiment.stem] = experiment.read_text()
    overrides = {
        "model_svm": "model=svm_rbf\nmodel.C=3.0",
        "model_forest": "model=random_forest\n++model.n_trees=10",
        "mlp_hidden": "model.hidden=[100,200,100]\ntrain.lr=3e-4\ntrain.standardize=true",
        "sweep": "train.epochs=10,20\nseed=range(0,3)\nmodel.hidden=[64],[128,64]",
        "choice": "model=choice(mlp,svm_rbf)\nsplit=grouped",
        "remove_add": "~launcher\n+extra.key=\"x\"\nsplit=kfold\nsplit.k=5",
        "features": "features=salamon2014\nfeatures.stats=[\"mean\",\"var\"]\nfeatures.mfcc.n_mfcc=20",
        "quoted": "data.root=\"/data/a,b\"\ndevice=cpu\noutput_root='out dir'",
    }
    for name, lines in overrides.items():
        seeds[f"overrides_{name}"] = "\n----\n" + lines + "\n"
    seeds["experiment_and_overrides"] = (
        "defaults = [{ \"override /model\" = \"svm_rbf\" }]\n[train]\nepochs = 5\n"
        "\n----\nmodel.C=2.0\nseed=1\n")
    return seeds


def feature_table_seeds(shared):
    header = "slice_file_name,fsID,fold,classID,class"
    seeds = {
        "labels_empty.csv": f"{header},a,b\nclip.wav,,,,,1.5,-2\n",
        "quoted.csv": f'{header},"mfcc,0",x\n"a ""quoted"", name.wav",1,2,3,"dog, bark",1e-3,+4\n',
        "crlf.csv": f"{header},f0\r\nx.wav,1,1,0,air,0.25\r\n\r\ny.wav,2,10,9,music,-0\r\n",
        "bad_number.csv": f"{header},f0\nx.wav,1,1,0,air,nan\n",
        "short_row.csv": f"{header},f0,f1\nx.wav,1,1,0,air,1\n",
    }
    table = shared / "data" / "urbansound8k-features" / "mfcc40_mean_kaiser_fast.csv" if shared else None
    if table and table.exists():
        with open(table) as f:
            seeds["real_rows.csv"] = "".join(next(f) for _ in range(4))
    return seeds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    shared = args.shared if args.shared.is_dir() else None
    for target in ["decode", "wav_stream", "upload", "config", "feature_table"]:
        shutil.rmtree(CORPUS / target, ignore_errors=True)
    audio = audio_seeds(shared)
    for name, data in audio.items():
        write("decode", name, data)
        if name.endswith((".wav", ".rf64")):
            write("wav_stream", name, data)
    small_wav = trimmed(audio.get("real_pcm16_stereo_44k.wav", audio["mono_pcm16.wav"]), 128)
    for name, data in upload_seeds(small_wav).items():
        write("upload", name, data)
    for name, text in config_seeds().items():
        write("config", name + ".txt", text)
    for name, text in feature_table_seeds(shared).items():
        write("feature_table", name, text)
    total = sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file())
    print(f"corpus: {sum(1 for p in CORPUS.rglob('*') if p.is_file())} files, {total} bytes")


if __name__ == "__main__":
    main()
