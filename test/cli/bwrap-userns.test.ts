// --userns, --userns2, --pidns and --userns-block-fd beside bubblewrap: namespaces made by `unshare` as the
// test uid are passed in as fds, and the command inside must see the same maps, namespaces and pids.

import t from "tap";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { runAs, stageDir, tempDir, writeTestFile } from "../helpers/sandbox.js";

const haveBwrap = spawnSync("bwrap", ["--version"]).status === 0;
if (!haveBwrap) t.plan(0, "bubblewrap (bwrap) is not installed");

const work = tempDir("nsjail-ts-bwrap-userns-");
const SYSTEM = "--ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64";
const TOOLS = { bwrap: ["bwrap"], "nsjail-ts": [process.execPath, join(stageDir(), "dist/cli/main.js"), "bwrap"] };

/** Run a shell script with the tool's command prefix as "$@"; each tool gets namespaces of its own. */
async function eachTool(name: string, body: string): Promise<Record<string, { stdout: string; stderr: string; code: number | null }>> {
  const script = writeTestFile(work, `${name}.sh`, `S="${SYSTEM}"\n${body}\n`, 0o755);
  const out: Record<string, { stdout: string; stderr: string; code: number | null }> = {};
  for (const [tool, prefix] of Object.entries(TOOLS)) out[tool] = await runAs("sh", [script, ...prefix]);
  return out;
}

// A user namespace and a PID namespace owned by it, held open by a sleeping `unshare` (the test uid maps to 0).
// Processes are counted with a glob the shell expands itself: a pipeline's second command may or may not
// exist yet when the first reads /proc.
const HOLDER = `unshare -Urpf --kill-child --mount-proc sleep 30 >/dev/null 2>&1 & P=$!; sleep 0.4
exec 5</proc/$P/ns/user 6</proc/$P/ns/pid_for_children`;

t.test("--userns and --pidns: the command is born in the given namespaces, with their maps", async (t) => {
  const r = await eachTool("join", `${HOLDER}
"$@" --userns 5 --pidns 6 $S --proc /proc -- sh -c 'u=$1 p=$2; cat /proc/self/uid_map; echo $$; id -u; set -- /proc/[0-9]*; echo $#; [ "$(readlink /proc/self/ns/user)" = "$u" ] && echo same-user-ns; [ "$(readlink /proc/self/ns/pid)" = "$p" ] && echo same-pid-ns' sh "$(readlink /proc/$P/ns/user)" "$(readlink /proc/$P/ns/pid_for_children)"
echo rc=$?
"$@" --userns 5 $S -- sh -c 'id -u; id -g'; echo rc=$?
kill $P`);
  t.equal(r["nsjail-ts"]!.stdout, r.bwrap!.stdout, "the same maps, pids and namespaces", { stderr: r["nsjail-ts"]!.stderr });
  t.match(r.bwrap!.stdout, /^ +0 +\d+ +1\n2\n0\n\d+\nsame-user-ns\nsame-pid-ns\nrc=0\n0\n0\nrc=0\n$/);
});

t.test("--userns2 switches into a descendant user namespace after setup", async (t) => {
  const r = await eachTool("userns2", `unshare -Urpf --kill-child --mount-proc sh -c "unshare -Ur sleep 30 & exec sleep 30" >/dev/null 2>&1 & P=$!; sleep 0.4
SH=$(tr -d ' ' < /proc/$P/task/$P/children); I=$(cut -d' ' -f1 < /proc/$SH/task/$SH/children)
exec 5</proc/$P/ns/user 6</proc/$P/ns/pid_for_children 7</proc/$I/ns/user
"$@" --userns 5 --pidns 6 --userns2 7 $S --proc /proc -- sh -c 'cat /proc/self/uid_map; id -u; [ "$(readlink /proc/self/ns/user)" = "$1" ] && echo inner-user-ns' sh "$(readlink /proc/$I/ns/user)"
echo rc=$?
kill $P`);
  t.equal(r["nsjail-ts"]!.stdout, r.bwrap!.stdout, "the same view from the inner namespace", { stderr: r["nsjail-ts"]!.stderr });
  t.match(r.bwrap!.stdout, /^ +0 +0 +1\n0\ninner-user-ns\nrc=0\n$/);
});

t.test("--userns-block-fd waits while an outside process writes the maps of the pid --info-fd names", async (t) => {
  const r = await eachTool("block", `d=$(mktemp -d); mkfifo $d/info $d/block
"$@" --unshare-user --info-fd 3 --userns-block-fd 4 $S -- sh -c 'id -u; id -g' 3>$d/info 4<>$d/block &
pid=$(sed -n 's/.*"child-pid": \\([0-9]*\\).*/\\1/p' $d/info)
echo deny > /proc/$pid/setgroups; echo "5 $(id -u) 1" > /proc/$pid/uid_map; echo "7 $(id -g) 1" > /proc/$pid/gid_map
echo go > $d/block
wait $!; echo rc=$?`);
  t.equal(r["nsjail-ts"]!.stdout, r.bwrap!.stdout, "the ids the outside maps gave", { stderr: r["nsjail-ts"]!.stderr });
  t.equal(r.bwrap!.stdout, "5\n7\nrc=0\n");
});

t.test("the combinations bwrap refuses are refused", async (t) => {
  const r = await eachTool("refused", `exec 5</proc/self/ns/user
"$@" --userns 5 --unshare-user $S -- true; echo rc=$?
"$@" --unshare-user --userns-block-fd 5 $S -- true; echo rc=$?
"$@" --userns-block-fd 5 --info-fd 1 $S -- true; echo rc=$?`);
  for (const tool of Object.keys(TOOLS)) t.equal(r[tool]!.stdout, (tool === "bwrap" ? "rc=1\n" : "rc=2\n").repeat(3), `${tool} refuses each (usage errors exit 2 here)`, { stderr: r[tool]!.stderr });
  t.match(r["nsjail-ts"]!.stderr, /--userns is not compatible with --unshare-user/);
  t.match(r["nsjail-ts"]!.stderr, /--userns-block-fd requires --info-fd/);
  t.match(r["nsjail-ts"]!.stderr, /--userns-block-fd requires --unshare-user/);
});

t.test("--pidns with --unshare-pid, which bwrap nests, is refused in one line", async (t) => {
  const r = await runAs(TOOLS["nsjail-ts"][0]!, [...TOOLS["nsjail-ts"].slice(1), "--pidns", "0", "--unshare-pid", "--", "true"]);
  t.equal(r.code, 2);
  t.equal(r.stderr, "nsjail-ts: --pidns with --unshare-pid (or --unshare-all) is not supported: nsjail-ts cannot nest a new PID namespace in the joined one\n");
});
