// A real build: a generated C project of a few dozen files, `make -j2` natively and under policies/build.json.
import { join } from "node:path";
import { front, ms, runAs, scratch, table, writeOwned } from "./lib.mjs";

const FILES = 48;

function unit(i) {
  const fns = Array.from({ length: 12 }, (_, k) => `
static double f${k}(double x) { double s = 0; for (int i = 1; i < ${20 + k}; i++) s += x / i * (i % 3 ? 1 : -1); return s; }`).join("");
  return `#include <math.h>\n#include <stdio.h>\n${fns}\ndouble unit${i}(double x) { return ${Array.from({ length: 12 }, (_, k) => `f${k}(x + ${k})`).join(" + ")}; }\n`;
}

export async function build({ runs = 7 } = {}) {
  const dir = scratch();
  for (let i = 0; i < FILES; i++) writeOwned(join(dir, `u${i}.c`), unit(i));
  const decls = Array.from({ length: FILES }, (_, i) => `double unit${i}(double);`).join("\n");
  const calls = Array.from({ length: FILES }, (_, i) => `s += unit${i}(1.5);`).join(" ");
  writeOwned(join(dir, "main.c"), `#include <stdio.h>\n${decls}\nint main(void) { double s = 0; ${calls} printf("%f\\n", s); return 0; }\n`);
  const objs = [...Array.from({ length: FILES }, (_, i) => `u${i}.o`), "main.o"].join(" ");
  writeOwned(join(dir, "Makefile"), `CFLAGS = -O2 -g\nprog: ${objs}\n\t$(CC) -o $@ $^ -lm\nclean:\n\trm -f prog *.o\n.PHONY: clean\n`);
  runAs([front, "--policy", "build", "--", "make", "-s", "-j2"], { cwd: dir }); // the plan is cached, the build works
  // Alternate the two, so that load from elsewhere on the machine falls on both alike.
  const how = { native: ["make", "-s", "-j2"], "nsjail-ts --policy build": [front, "--policy", "build", "--", "make", "-s", "-j2"] };
  const times = { native: [], "nsjail-ts --policy build": [] };
  for (let i = 0; i < runs; i++) {
    for (const [name, argv] of Object.entries(how)) {
      runAs(["make", "-s", "clean"], { cwd: dir });
      const t0 = performance.now();
      runAs(argv, { cwd: dir });
      times[name].push(performance.now() - t0);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const over = (median(times["nsjail-ts --policy build"]) / median(times.native) - 1) * 100;
  const rows = Object.entries(times).map(([n, xs]) => [n, ms(median(xs)), ms(mean(xs)), ms(Math.min(...xs))]);
  return {
    title: `Build (${FILES + 1} C files, \`make -j2\`, ${runs} alternating runs each)`,
    body: `${table(["how", "median", "mean", "min"], rows)}\n\noverhead (medians): ${over.toFixed(1)}% (target ≤ 2%)`,
  };
}
