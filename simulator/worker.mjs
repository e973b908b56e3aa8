// A simulation worker: the TypeScript runs through tsx's loader, as bin/yidi.js does.
import { register } from "tsx/esm/api";

register();
await import("./worker-main.ts");
