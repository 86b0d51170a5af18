// Checks colbot's fixture RPDE pages with OpenActive's validator library: its CLI reads only live
// feeds, so each page is given to FeedPageChecker with the URL it is served at.
// node .ci/rpde/validate.cjs tests/fixtures/feeds  -> prints every problem; exits 1 if any.
const fs = require('fs');
const path = require('path');
const { FeedPageChecker } = require('@openactive/rpde-validator');

const BASE = 'https://feeds.example.org';
const folder = process.argv[2];
const chains = {};
for (const name of fs.readdirSync(folder).sort()) {
  const match = /^([a-z]+)-(\d+)\.json$/.exec(name);
  if (match) (chains[match[1]] = chains[match[1]] || []).push([Number(match[2]), name]);
}
let problems = 0;
let pages = 0;
for (const [feed, files] of Object.entries(chains)) {
  let url = `${BASE}/${feed}`;
  for (const [, name] of files.sort((a, b) => a[0] - b[0])) {
    const text = fs.readFileSync(path.join(folder, name), 'utf8').split('{base}').join(BASE);
    const json = JSON.parse(text);
    const failures = new FeedPageChecker().validateRpdePage({
      url, json, pageIndex: pages, contentType: 'application/json', cacheControl: 'public, max-age=3600', status: 200,
    });
    pages += 1;
    for (const failure of failures) {
      problems += 1;
      console.log(`${name}: ${failure.message}`);
    }
    url = json.next;
  }
}
console.log(`${pages} pages checked, ${problems} problem${problems === 1 ? '' : 's'}`);
process.exit(problems ? 1 : 0);
