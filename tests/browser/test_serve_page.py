#!/usr/bin/env python3
"""End to end: `audify serve`'s page in real headless Chromium.

Trains a tiny model on a small synthetic set, starts `audify serve` on a free loopback port, opens
the page, reaches the file button with the keyboard, uploads a generated WAV through the file
input, waits for the highlighted class, checks it against the API's answer for the same file,
checks the drawings' axes (the waveform's in seconds, the spectrogram's in seconds and Hz), that
the page names every format the server decodes (MP3 and Opus among them), that it fits a phone's
width and that the console stayed free of errors; saves a screenshot. Then digital silence must be
answered "silent" with no class, and a file that is not audio refused with its name said once.
Stops the server with SIGINT and expects a clean exit.

Exit status 77 (CTest's SKIP_RETURN_CODE) when Chromium or python3-websocket is missing.

    tests/browser/test_serve_page.py --audify build/audify --screenshot docs/serve_page.png
"""

import argparse
import json
import math
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
import wave

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))


def skip(why):
    print(f"SKIPPED: {why}")
    sys.exit(SKIP)


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def run(cmd, env):
    result = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    check(result.returncode == 0, f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}")
    return result.stdout


def train_tiny_model(audify, work, env):
    """A run directory from `audify run` on 4 synthetic clips per class, 3 epochs."""
    synth = os.path.join(work, "synth")
    runs = os.path.join(work, "runs")
    run([audify, "synth", "--out", synth, "--clips-per-class", "4"], env)
    run([audify, "run", "-q", f"data.root={synth}", f"output_root={runs}", "train.epochs=3",
         "model.hidden=[32]", "train.standardize=true"], env)
    default = os.path.join(runs, "default")
    (run_dir,) = os.listdir(default)
    return os.path.join(default, run_dir), synth


def write_wav(path, seconds=3.0, rate=22050):
    """A siren-like sweep with a little noise, 16-bit mono."""
    frames = bytearray()
    phase = 0.0
    for t in range(int(seconds * rate)):
        freq = 700 + 500 * math.sin(2 * math.pi * 0.5 * t / rate)
        phase += 2 * math.pi * freq / rate
        value = 0.4 * math.sin(phase) + 0.02 * math.sin(t * 12.9898)
        frames += struct.pack("<h", int(max(-1.0, min(1.0, value)) * 32767))
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))


def start_server(audify, run_dir, env):
    """`audify serve --port 0`; returns the process and the URL it printed."""
    server = subprocess.Popen([audify, "serve", "--model", run_dir, "--port", "0", "--no-log"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = server.stdout.readline()
    match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
    if not match:
        server.kill()
        raise AssertionError(f"audify serve printed no URL: {line}{server.stdout.read()}")
    return server, match.group(1)


def api_classify(url, path):
    """The API's answer for a file, as multipart, the way the page sends it."""
    boundary = uuid.uuid4().hex
    with open(path, "rb") as f:
        data = f.read()
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{os.path.basename(path)}\"\r\n"
            f"Content-Type: audio/wav\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(url + "api/classify", data=body, method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def write_silence(path, seconds=2.0, rate=22050):
    """Digital silence: the page must say so, not name a class."""
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(2 * int(seconds * rate)))


def upload(page, path):
    """Chooses `path` in the file input; returns the page's state once it has the answer."""
    page.evaluate("document.body.dataset.state = 'idle'")
    page.set_file("#file", path)
    return page.wait_for(lambda: page.evaluate("['done', 'error'].includes(document.body.dataset.state) "
                                               "&& document.body.dataset.state"),
                         what=f"the answer for {os.path.basename(path)}")


def check_silence_and_garbage(page, silence, garbage):
    """Silence is answered "silent" with no class highlighted; an error names the file once."""
    check(upload(page, silence) == "done", "silence was not answered")
    answer = page.evaluate("document.getElementById('answer').textContent")
    highlighted = page.evaluate("document.querySelectorAll('#classes li.predicted').length")
    check(answer.startswith("Silent"), f"silence answered {answer!r}")
    check(highlighted == 0, f"{highlighted} classes highlighted for silence")
    check(upload(page, garbage) == "error", "garbage was not refused")
    status = page.evaluate("document.getElementById('status').textContent")
    name = os.path.basename(garbage)
    check(status.count(name) == 1, f"the error names {name} {status.count(name)} times: {status!r}")


# Records the text each canvas draws (its axis labels), with where it was drawn.
RECORD_CANVAS_TEXT = """(() => {
    window.drawnText = {};
    const fillText = CanvasRenderingContext2D.prototype.fillText;
    CanvasRenderingContext2D.prototype.fillText = function (text, x, y, ...rest) {
        const id = this.canvas.id || "";
        (window.drawnText[id] = window.drawnText[id] || []).push(
            {text: String(text), x, y, width: this.canvas.width, height: this.canvas.height});
        return fillText.call(this, text, x, y, ...rest);
    };
})()"""


def check_axes(page, seconds):
    """The waveform has a time axis in seconds, the spectrogram one in seconds and one in Hz."""
    drawn = page.evaluate("window.drawnText")
    for canvas in ("wave", "mel"):
        labels = drawn.get(canvas, [])
        outside = [l for l in labels if not (0 <= l["x"] <= l["width"] and 0 <= l["y"] <= l["height"])]
        check(not outside, f"{canvas}: labels drawn outside the canvas: {outside}")
        times = [float(l["text"][:-2]) for l in labels if re.fullmatch(r"\d+(\.\d+)? s", l["text"])]
        check(len(times) >= 2 and min(times) == 0 and max(times) <= seconds + 1e-9
              and max(times) >= seconds / 2,
              f"{canvas}: no seconds axis from 0 to {seconds} s: {[l['text'] for l in labels]}")
    mel = [l["text"] for l in drawn["mel"]]
    hz = [t for t in mel if re.fullmatch(r"\d+k?", t)]
    check("Hz" in mel and len(hz) >= 3, f"mel: no frequency axis in Hz: {mel}")
    check(hz[0] == "0" and hz[-1].endswith("k"), f"mel: the Hz axis does not run from 0 to kHz: {hz}")


def check_formats(page, url):
    """The drop zone's text names every format the server decodes, MP3 and Opus among them."""
    with urllib.request.urlopen(url + "api/model", timeout=30) as response:
        formats = json.load(response)["formats"]
    text = page.evaluate("document.getElementById('formats').textContent")
    missing = [f for f in formats if f not in text]
    check(not missing, f"the page's text {text!r} leaves out {missing}")
    for expected in ("WAV", "FLAC", "MP3", "Opus"):
        check(expected in text, f"{expected} is not among the formats named: {text!r}")


def drive_page(url, clip, screenshot, silence=None, garbage=None):
    from cdp import Browser

    with Browser() as browser:
        page = browser.new_page()
        page.set_viewport(860, 1000)
        page.navigate(url)
        page.wait_for(lambda: page.evaluate("document.querySelectorAll('#classes li').length") == 10,
                      what="the ten classes from /api/model")

        # Keyboard only: the first Tab reaches the file button.
        page.press("Tab", "Tab", 9)
        focused = page.evaluate("document.activeElement && document.activeElement.id")
        check(focused == "file", f"Tab focused {focused!r}, not the file input")
        label = page.evaluate("document.querySelector('label[for=file]').textContent")
        check(label.strip() == "Choose a file", f"file button label: {label!r}")
        check_formats(page, url)

        page.evaluate(RECORD_CANVAS_TEXT)
        page.set_file("#file", clip)
        state = page.wait_for(lambda: page.evaluate("['done', 'error'].includes(document.body.dataset.state) "
                                                    "&& document.body.dataset.state"),
                              what="the classification")
        status = page.evaluate("document.getElementById('status').textContent")
        check(state == "done", f"page state {state}: {status}")
        shown = page.evaluate("""(() => {
            const rows = [...document.querySelectorAll('#classes li')];
            const top = document.querySelectorAll('#classes li.predicted');
            return {count: top.length, predicted: top.length ? top[0].dataset.class : null,
                    current: top.length ? top[0].getAttribute('aria-current') : null,
                    percents: rows.map((r) => parseFloat(r.querySelector('.pct').textContent)),
                    names: rows.map((r) => r.dataset.class),
                    meta: document.getElementById('m-time').textContent,
                    duration: document.getElementById('m-duration').textContent};
        })()""")
        check(shown["count"] == 1, f"{shown['count']} classes highlighted, expected 1")
        check(shown["current"] == "true", "the highlighted class is not marked aria-current")
        best = shown["names"][max(range(10), key=lambda i: shown["percents"][i])]
        check(shown["predicted"] == best, f"highlighted {shown['predicted']}, the largest bar is {best}")
        check("ms in the server" in shown["meta"], f"processing time missing: {shown['meta']}")
        check(shown["duration"].startswith("3.00 s"), f"duration shown: {shown['duration']}")
        painted = page.evaluate("""(() => {
            const c = document.getElementById('mel'), d = c.getContext('2d')
                .getImageData(0, 0, c.width, c.height).data;
            let lit = 0;
            for (let i = 0; i < d.length; i += 4) lit += d[i] + d[i + 1] + d[i + 2] > 120;
            return lit / (d.length / 4);
        })()""")
        check(painted > 0.05, f"the mel image looks empty ({painted:.3f} of pixels lit)")
        check_axes(page, 3.0)

        if screenshot:
            page.screenshot(screenshot)

        # Phone width: nothing wider than the screen.
        page.set_viewport(375, 800, mobile=True)
        page.wait_for(lambda: page.evaluate("document.documentElement.scrollWidth") <= 375,
                      timeout=5, what="the page to fit 375 px")
        page._collect(0.3)
        check(not page.errors, "console errors:\n" + "\n".join(page.errors))
        if silence and garbage:  # last: the refused upload logs a failed load on the console
            check_silence_and_garbage(page, silence, garbage)
        return shown["predicted"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--audify", required=True, help="the audify binary")
    parser.add_argument("--screenshot", help="save a PNG of the page after the classification here")
    args = parser.parse_args()

    try:
        import websocket  # noqa: F401
    except ImportError:
        skip("python3-websocket is not installed (apt-get install python3-websocket)")
    sys.path.insert(0, HERE)
    from cdp import find_chromium

    if not find_chromium():
        skip("chromium is not installed (apt-get install chromium)")

    work = tempfile.mkdtemp(prefix="audify-browser-")
    env = dict(os.environ, AUDIFY_CACHE_DIR=os.path.join(work, "cache"))
    server = None
    try:
        run_dir, _ = train_tiny_model(os.path.abspath(args.audify), work, env)
        clip = os.path.join(work, "sweep.wav")
        write_wav(clip)
        silence = os.path.join(work, "silence.wav")
        write_silence(silence)
        garbage = os.path.join(work, "garbage.bin")
        with open(garbage, "wb") as f:
            f.write(b"this is not audio at all " * 40)
        server, url = start_server(os.path.abspath(args.audify), run_dir, env)
        predicted = drive_page(url, clip, args.screenshot, silence, garbage)
        answer = api_classify(url, clip)
        check(answer["predicted"]["class"] == predicted,
              f"page highlighted {predicted}, the API says {answer['predicted']['class']}")
        server.send_signal(signal.SIGINT)
        code = server.wait(timeout=15)
        check(code == 0, f"audify serve exited with {code} after SIGINT:\n{server.stdout.read()}")
        server = None
        print(f"OK: the page highlighted {predicted}" + (f"; screenshot {args.screenshot}" if args.screenshot else ""))
    finally:
        if server:
            server.kill()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
