// An interactive shell in a sandbox, driven through tmux: job control and terminal resizing work.

import t from "tap";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { baseEnv, cliPath, runAs, tempDir } from "../helpers/sandbox.js";

const hasTmux = spawnSync("tmux", ["-V"]).status === 0;

t.test("bash in a sandbox: a stopped job comes back with fg, and SIGWINCH is relayed", { skip: !hasTmux && "tmux is not installed" }, async (t) => {
  const sock = join(tempDir("nsjail-ts-tmux-"), "sock");
  const env = { ...baseEnv(tempDir("nsjail-ts-home-")), TERM: "xterm" };
  const cwd = tempDir();
  const tmux = (...args: string[]) => runAs("tmux", ["-S", sock, ...args], { env, cwd });
  t.teardown(() => tmux("kill-server"));
  const start = await tmux("new-session", "-d", "-x", "120", "-y", "40", process.execPath, cliPath(), "--", "bash", "--norc", "--noprofile", "-i");
  t.equal(start.code, 0, start.stderr);
  const screen = async () => (await tmux("capture-pane", "-p")).stdout;
  const until = async (re: RegExp, ms = 10_000) => {
    const end = Date.now() + ms;
    let s = "";
    while (Date.now() < end) {
      s = await screen();
      if (re.test(s)) return s;
      await sleep(100);
    }
    return s;
  };
  const type = (...keys: string[]) => tmux("send-keys", ...keys);

  t.match(await until(/bash-[\d.]+[#$]\s*$/m), /bash-[\d.]+[#$]\s*$/m, "a prompt");
  await type("cat", "Enter");
  await sleep(300);
  await type("C-z");
  t.match(await until(/Stopped\s+cat/), /\[1\]\+\s+Stopped\s+cat/, "^Z stopped the foreground job");
  await type("jobs", "Enter");
  await type("fg", "Enter");
  await sleep(300);
  await type("hello-from-cat", "Enter");
  t.match(await until(/hello-from-cat\nhello-from-cat/), /hello-from-cat\nhello-from-cat/, "fg brought cat back to the terminal: it echoes");
  await type("C-d");
  await type("sleep 30 &", "Enter");
  await type("jobs", "Enter");
  t.match(await until(/Running\s+sleep 30 &/), /\[1\]\+\s+Running\s+sleep 30 &/, "a background job");
  await type("kill %1", "Enter");

  await tmux("resize-window", "-t", "0", "-x", "100", "-y", "30");
  await sleep(300);
  await type("stty size", "Enter");
  t.match(await until(/^30 100$/m), /^30 100$/m, "the new size reached the sandboxed terminal");
  await type("exit", "Enter");
});
