// Loaded with `node --import` into a CLI run by a test: at exit, writes the process's peak RSS
// (bytes, from getrusage) to the file YIDI_PEAK_RSS_FILE names.
import { writeFileSync } from "node:fs";

const file = process.env.YIDI_PEAK_RSS_FILE;
if (file) process.on("exit", () => writeFileSync(file, String(process.resourceUsage().maxRSS * 1024)));
