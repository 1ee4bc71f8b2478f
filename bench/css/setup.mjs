// Seeds a running Community Solid Server 7 for bench/webdav.sh and gets a Bearer token.
//   node setup.mjs seed  ORIGIN/ PAYLOAD_DIR   pod alice (made at start by --seedConfig):
//       public/ (WAC: everyone read+write), private/ (owner only), small.txt in both,
//       public/1mb.bin, public/list/ with 1,000 files; checks the ACLs; prints the token JSON
//   node setup.mjs token ORIGIN/ PAYLOAD_DIR   prints a fresh token JSON
// Token (CSS 7 client credentials): password login at /.account/, a client-credentials pair
// for the WebID, exchanged at /.oidc/token (HTTP Basic). Asked without DPoP, it is a plain
// Bearer JWT that wrk can replay (lifetime 600 s).
import { readFileSync } from 'node:fs';

const [mode, origin, payload] = process.argv.slice(2);
const pod = `${origin}alice/`;
const webId = `${pod}profile/card#me`;

async function json(res) {
  if (!res.ok) throw new Error(`${res.status} ${res.url}: ${await res.text()}`);
  return res.json();
}

async function token() {
  const index = await json(await fetch(`${origin}.account/`));
  const login = await json(await fetch(index.controls.password.login, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'alice@example.org', password: 'alice-bench-pw' }),
  }));
  const account = { authorization: `CSS-Account-Token ${login.authorization}` };
  const mine = await json(await fetch(`${origin}.account/`, { headers: account }));
  const cred = await json(await fetch(mine.controls.account.clientCredentials, {
    method: 'POST',
    headers: { ...account, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `bench-${Date.now()}`, webId }),
  }));
  const basic = Buffer.from(`${encodeURIComponent(cred.id)}:${encodeURIComponent(cred.secret)}`)
    .toString('base64');
  return json(await fetch(`${origin}.oidc/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&scope=webid',
  }));
}

async function put(url, body, type, auth) {
  const res = await fetch(url, { method: 'PUT', headers: { 'content-type': type, authorization: auth }, body });
  if (!res.ok) throw new Error(`PUT ${url}: ${res.status} ${await res.text()}`);
}

async function status(url, headers = {}) {
  return (await fetch(url, { headers })).status;
}

const tok = await token();
if (mode === 'seed') {
  const auth = `Bearer ${tok.access_token}`;
  const small = readFileSync(`${payload}/small.txt`);
  const publicAcl = [
    '@prefix acl: <http://www.w3.org/ns/auth/acl#>.',
    '@prefix foaf: <http://xmlns.com/foaf/0.1/>.',
    '<#anyone> a acl:Authorization; acl:agentClass foaf:Agent; acl:accessTo <./>; acl:default <./>;',
    '  acl:mode acl:Read, acl:Write, acl:Append.',
    `<#owner> a acl:Authorization; acl:agent <${webId}>; acl:accessTo <./>; acl:default <./>;`,
    '  acl:mode acl:Read, acl:Write, acl:Append, acl:Control.',
    '',
  ].join('\n');
  await put(`${pod}public/small.txt`, small, 'text/plain', auth);
  await put(`${pod}public/.acl`, publicAcl, 'text/turtle', auth);
  await put(`${pod}public/1mb.bin`, readFileSync(`${payload}/1mb.bin`), 'application/octet-stream', auth);
  await put(`${pod}private/small.txt`, small, 'text/plain', auth);
  for (let i = 0; i < 1000; i += 25) {
    await Promise.all(Array.from({ length: 25 }, (_, k) =>
      put(`${pod}public/list/f${String(i + k).padStart(4, '0')}.txt`, small, 'text/plain', auth)));
  }
  const checks = {
    public_anonymous: await status(`${pod}public/small.txt`),
    private_anonymous: await status(`${pod}private/small.txt`),
    private_bearer: await status(`${pod}private/small.txt`, { authorization: auth }),
  };
  if (checks.public_anonymous !== 200 || checks.private_anonymous !== 401 || checks.private_bearer !== 200) {
    throw new Error(`ACL checks failed: ${JSON.stringify(checks)}`);
  }
  console.error(`css seeded; ${JSON.stringify(checks)}`);
} else if (mode !== 'token') {
  throw new Error('usage: setup.mjs seed|token ORIGIN/ PAYLOAD_DIR');
}
console.log(JSON.stringify(tok));
