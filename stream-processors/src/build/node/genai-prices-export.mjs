// Build step of stream-processors (exec-maven-plugin, generate-resources): turns the pinned npm package
// @pydantic/genai-prices into the JSON price table the stream processor reads from its classpath, so the
// running service needs neither node nor a network.
//
//   node genai-prices-export.mjs <version> <sha512 integrity> <work dir> <output json>
//
// The tarball is fetched once with `npm pack` into the llmtrace cache (LLMTRACE_CACHE_DIR, else
// $XDG_CACHE_HOME/llmtrace, else ~/.cache/llmtrace, as deploy/local-stack's StackFiles resolves it) and its
// SHA-512 is checked against the pinned `dist.integrity` on every build, before anything is unpacked: a
// corrupted or swapped cache entry is fetched again, a mismatching download fails the build.
//
// The package ships its data only inside its JS bundle (no data file): the bundle's module-level constants
// hold the providers and the unit registry, and the public API (findProvider, calcPrice) reads them. We
// import a copy of the bundle with those two constants exported as well, and prove they are the live data by
// checking that findProvider returns the very same provider objects. The names are minifier output of this
// pinned version; another version that renames them fails here, loudly, instead of exporting stale data.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const PACKAGE = '@pydantic/genai-prices';
const [version, integrity, workDir, output] = process.argv.slice(2);
if (!version || !integrity?.startsWith('sha512-') || !workDir || !output) {
  console.error('usage: genai-prices-export.mjs <version> <sha512-integrity> <work dir> <output json>');
  process.exit(2);
}

try {
  const packageDir = unpack(cachedTarball());
  const { providers, units } = await bundledData(packageDir);
  const table = exportTable(providers, units);
  fs.mkdirSync(path.dirname(output), { recursive: true });
  fs.writeFileSync(output, JSON.stringify(table) + '\n');
  const models = table.providers.reduce((n, p) => n + p.models.length, 0);
  console.log(`genai-prices: ${PACKAGE}@${version}: ${table.providers.length} providers, ${models} models -> ${output}`);
} catch (e) {
  console.error(`genai-prices: ${e.message}`);
  process.exit(1);
}

function fail(message) {
  throw new Error(message);
}

function cacheDir() {
  if (process.env.LLMTRACE_CACHE_DIR) return process.env.LLMTRACE_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'llmtrace');
}

function sha512(file) {
  return 'sha512-' + createHash('sha512').update(fs.readFileSync(file)).digest('base64');
}

function cachedTarball() {
  const dir = path.join(cacheDir(), 'genai-prices', version);
  const file = path.join(dir, `pydantic-genai-prices-${version}.tgz`);
  if (fs.existsSync(file)) {
    if (sha512(file) === integrity) return file;
    console.warn(`genai-prices: cached ${file} does not match the pinned integrity; fetching it again`);
    fs.rmSync(file);
  }
  fs.mkdirSync(dir, { recursive: true });
  // A private download directory, renamed into place only once verified: concurrent builds on one machine
  // never see half a tarball.
  const download = fs.mkdtempSync(path.join(dir, '.download-'));
  try {
    const packed = execFileSync('npm', ['pack', '--silent', `${PACKAGE}@${version}`], { cwd: download, encoding: 'utf8' });
    const name = packed.trim().split('\n').pop().trim();
    const fetched = path.join(download, name);
    const actual = sha512(fetched);
    if (actual !== integrity) fail(`checksum mismatch for ${PACKAGE}@${version}: expected ${integrity}, got ${actual}`);
    fs.renameSync(fetched, file);
    fs.writeFileSync(path.join(dir, 'SOURCE'), `${PACKAGE}@${version} ${integrity}\n`);
    return file;
  } finally {
    fs.rmSync(download, { recursive: true, force: true });
  }
}

function unpack(file) {
  // Unpacked into the build directory (not the cache) so that the differential test runs the very code
  // this build verified.
  fs.rmSync(path.join(workDir, 'package'), { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true });
  execFileSync('tar', ['xzf', file, '-C', workDir, 'package/package.json', 'package/LICENSE', 'package/dist/index.js']);
  const dir = path.join(workDir, 'package');
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  if (manifest.name !== PACKAGE || manifest.version !== version) {
    fail(`tarball holds ${manifest.name}@${manifest.version}, expected ${PACKAGE}@${version}`);
  }
  return dir;
}

async function bundledData(dir) {
  const bundle = path.join(dir, 'dist', 'index.js');
  const withData = path.join(dir, 'dist', 'index.with-data.mjs');
  fs.writeFileSync(withData, fs.readFileSync(bundle, 'utf8') + '\nexport { E as __providers, J as __units };\n');
  let mod;
  try {
    mod = await import(pathToFileURL(withData).href);
  } catch (e) {
    fail(`cannot read the data out of ${PACKAGE}@${version}'s bundle (${e.message}); update this script for the new version`);
  }
  const providers = mod.__providers;
  const units = mod.__units;
  if (!Array.isArray(providers) || providers.length === 0 || typeof units !== 'object'
      || !providers.every((p) => mod.findProvider({ providerId: p.id }) === p)) {
    fail(`the constants read from ${PACKAGE}@${version}'s bundle are not the data findProvider uses`);
  }
  return { providers, units };
}

// Only what the Java side prices with, in a shape it binds strictly (unknown fields fail there): match
// rules and prices are copied verbatim; `prices` is always a list of {constraint?, prices}, which is how
// the package reads a plain price object anyway.
function exportTable(providers, units) {
  const priceKeys = new Set(Object.entries(units).map(([key, unit]) => unit.price_key ?? key));
  return {
    package: PACKAGE,
    version,
    integrity,
    units: Object.fromEntries(Object.entries(units).map(([key, unit]) => [key,
      { dimensions: unit.dimensions, per: unit.per, price_key: unit.price_key ?? key }])),
    providers: providers.map((p) => ({
      id: p.id,
      name: p.name,
      provider_match: p.provider_match,
      model_match: p.model_match,
      fallback_model_providers: p.fallback_model_providers,
      models: p.models.map((m) => {
        const prices = Array.isArray(m.prices) ? m.prices : [{ prices: m.prices }];
        for (const { prices: price } of prices) {
          for (const key of Object.keys(price)) {
            if (!priceKeys.has(key)) fail(`provider ${p.id} model ${m.id}: price key ${key} has no unit`);
          }
        }
        return { id: m.id, name: m.name, match: m.match, prices };
      }),
    })),
  };
}
