// Verifies colbot's badges the way the Learner Credential Wallet and VerifierPlus do, offline.
//
//     node verify.mjs < request.json
//
// The request names colbot's own server (`origin`), the time to verify at (`now`) and the
// `checks`; one JSON verdict per check is printed, one a line, in the order given:
//   {"name", "credential": {...}}              Digital Bazaar's vc.verifyCredential with the
//   {"name", "credentialUrl": "http://..."}    eddsa-rdfc-2022 suite, and its Bitstring Status
//                                              List check when the credential has a status
//   {"name", "jwt": "...", "jwks": "http://...", "issuer"?, "subject"?}
//                                              jose's jwtVerify with the issuer's JWK Set
// Add "resolveFragments": true to a credential check to dereference `…#fragment` URLs inside
// their document, as the Controlled Identifiers spec's fragment resolution does; without it,
// URLs are fetched exactly as @digitalcredentials/security-document-loader fetches them (its
// httpClientHandler: the whole URL handed to the HTTP client, so the fragment never reaches
// the server and the document comes back whole).
//
// Contexts come only from the npm packages below, as the wallets bundle them; documents come
// only from `origin` (did:key URLs, as a holder's wallet gives them, resolve through the
// loader's own DID resolver); anything else is refused and reported in the verdict.

import * as readline from 'node:readline/promises';

import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import multikeyContext from '@digitalbazaar/multikey-context';
import securityContext from '@digitalbazaar/security-context';
import {verifyCredential} from '@digitalbazaar/vc';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {httpClientHandler, securityLoader} from
  '@digitalcredentials/security-document-loader';
import * as jose from 'jose';

// Contexts VerifierPlus fetches from the web (securityLoader({fetchRemoteContexts: true})),
// served here from their packages: multikey/v1 for Multikey documents, security/v2 for the
// frame jsonld-signatures checks a controller's assertionMethod with.
const FETCHED_CONTEXTS = [
  [multikeyContext.CONTEXT_URL, multikeyContext.CONTEXT],
  ...[securityContext.constants.SECURITY_CONTEXT_V1_URL,
    securityContext.constants.SECURITY_CONTEXT_V2_URL].map(
    url => [url, securityContext.contexts.get(url)])
];

function loaderFor({origin, resolveFragments, fetched, refused}) {
  const loader = securityLoader();
  for(const [url, context] of FETCHED_CONTEXTS) {
    loader.addStatic(url, context);
  }
  const colbotOnly = {
    async get({url}) {
      if(new URL(url).origin !== origin) {
        refused.push(url);
        throw new Error(`refusing to fetch ${url}: not colbot's own server`);
      }
      fetched.push(url);
      const document = await httpClientHandler.get({url});
      return resolveFragments ? fragmentOf(document, url) : document;
    }
  };
  loader.setProtocolHandler({protocol: 'http', handler: colbotOnly});
  loader.setProtocolHandler({protocol: 'https', handler: colbotOnly});
  return loader.build();
}

// The node a `…#fragment` URL names inside its document (CID 1.0, Fragment Resolution).
function fragmentOf(document, url) {
  if(!new URL(url).hash) {
    return document;
  }
  const found = [];
  const visit = value => {
    if(Array.isArray(value)) {
      value.forEach(visit);
    } else if(value && typeof value === 'object') {
      if(value.id === url) {
        found.push(value);
      }
      Object.values(value).forEach(visit);
    }
  };
  visit(document);
  if(found.length !== 1) {
    throw new Error(`${url}: ${found.length} nodes with that id in its document`);
  }
  return found[0];
}

function messages(error) {
  if(!error) {
    return [];
  }
  const errors = Array.isArray(error) ? error : [error];
  return errors.flatMap(one => [
    `${one.name}: ${one.message}`,
    ...messages(one.errors),
    ...messages(one.cause)
  ]);
}

async function credentialVerdict(check, {origin, now, fetched, refused}) {
  const documentLoader = loaderFor({
    origin, resolveFragments: check.resolveFragments === true, fetched, refused
  });
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
  const credential = check.credential ??
    (await documentLoader(check.credentialUrl)).document;
  const result = await verifyCredential({
    credential,
    suite,
    documentLoader,
    now,
    checkStatus: options => checkStatus({...options, suite, documentLoader})
  });
  const statuses = result.statusResult?.results ?? [];
  return {
    verified: result.verified === true,
    verificationMethod: [].concat(credential.proof ?? [])
      .map(proof => proof.verificationMethod),
    status: result.statusResult === undefined ? null : {
      verified: result.statusResult.verified === true,
      revoked: statuses.some(status => status.status === true),
      errors: messages(result.statusResult.error)
    },
    errors: messages(result.error)
  };
}

async function jwtVerdict(check, {origin, now, fetched, refused}) {
  const documentLoader = loaderFor({origin, resolveFragments: false, fetched, refused});
  const jwks = jose.createLocalJWKSet((await documentLoader(check.jwks)).document);
  const {payload, protectedHeader} = await jose.jwtVerify(check.jwt, jwks, {
    algorithms: ['RS256'],
    currentDate: now,
    ...(check.issuer ? {issuer: check.issuer} : {}),
    ...(check.subject ? {subject: check.subject} : {})
  });
  return {
    verified: true,
    kid: protectedHeader.kid,
    iss: payload.iss,
    sub: payload.sub,
    jti: payload.jti,
    errors: []
  };
}

async function verdict(check, request) {
  const fetched = [];
  const refused = [];
  const run = 'jwt' in check ? jwtVerdict : credentialVerdict;
  let found;
  try {
    found = await run(check, {...request, fetched, refused});
  } catch(error) {
    found = {verified: false, errors: messages(error)};
  }
  return {name: check.name, ...found, fetched, refused};
}

async function main() {
  const lines = [];
  for await (const line of readline.createInterface({input: process.stdin})) {
    lines.push(line);
  }
  const request = JSON.parse(lines.join('\n'));
  const context = {origin: new URL(request.origin).origin, now: new Date(request.now)};
  for(const check of request.checks) {
    process.stdout.write(JSON.stringify(await verdict(check, context)) + '\n');
  }
}

await main();
