// The reference side of GenAiPricesDifferentialTest: prices each case with the package's own calcPrice.
//   node genai-prices-reference.mjs <package dist/index.js> <cases.json>
// cases.json: [{provider, model, at, usage}], provider may be null; prints [{provider, model, total} | null | {error}].
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';

const [bundle, casesFile] = process.argv.slice(2);
const { calcPrice } = await import(pathToFileURL(bundle).href);
const cases = JSON.parse(fs.readFileSync(casesFile, 'utf8'));
const results = cases.map(({ provider, model, at, usage }) => {
  try {
    const options = { timestamp: new Date(at) };
    if (provider !== null) options.providerId = provider;
    const priced = calcPrice(usage, model, options);
    return priced === null ? null : { provider: priced.provider.id, model: priced.model.id, total: priced.total_price };
  } catch (e) {
    return { error: e.message };
  }
});
process.stdout.write(JSON.stringify(results));
