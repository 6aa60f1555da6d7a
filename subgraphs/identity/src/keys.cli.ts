// `npm run keys -- <list|add|activate KID|retire KID> [--file PATH]`: rotates the access-token
// signing keys in place. Identity picks up the change within a second, the gateway at its next
// JWKS refresh (or at once for a kid it has not seen), so no service restarts.
import { resolve } from "node:path";
import {
  activateKey,
  addKey,
  configOrExit,
  ensureKeyFile,
  isProductionEnv,
  loadSettings,
  readKeyFile,
  retireKey,
  writeKeyFile,
  type KeyFile,
} from "@junggo/runtime";
import { identitySettings } from "./identity.config.ts";

const args = process.argv.slice(2);
const fileFlag = args.indexOf("--file");
const path = resolve(
  fileFlag >= 0
    ? args.splice(fileFlag, 2)[1]!
    : configOrExit(() =>
        loadSettings("keys", { jwtKeysFile: identitySettings.jwtKeysFile }, process.env, {
          production: isProductionEnv(process.env),
        }),
      ).jwtKeysFile,
);
const [command, kid] = args;

function show(file: KeyFile): void {
  for (const k of file.keys)
    console.log(
      `${k.kid === file.active ? "* " : "  "}${k.kid}  created ${k.createdAt}${k.kid === file.active ? "  (signing)" : "  (verify only)"}`,
    );
}

try {
  switch (command) {
    case "list":
      show(readKeyFile(path));
      break;
    case "init":
      show(await ensureKeyFile(path));
      break;
    case "add": {
      const { file, kid: added } = await addKey(readKeyFile(path));
      writeKeyFile(path, file);
      console.log(
        `added ${added}: published now; activate it once the gateway has refreshed its keys (JWKS_REFRESH_SECONDS).`,
      );
      show(file);
      break;
    }
    case "activate":
    case "retire": {
      if (!kid) throw new Error(`usage: npm run keys -- ${command} <kid>`);
      const file =
        command === "activate" ? activateKey(readKeyFile(path), kid) : retireKey(readKeyFile(path), kid);
      writeKeyFile(path, file);
      show(file);
      break;
    }
    default:
      console.log(
        "usage: npm run keys -- <list|init|add|activate KID|retire KID> [--file PATH]   (default file: $JWT_KEYS_FILE or .data/jwt-keys.json)",
      );
      process.exit(command ? 2 : 0);
  }
} catch (err) {
  console.error(`keys: ${(err as Error).message}`);
  process.exit(1);
}
