// Interop check: the npm package dicomweb-client (written for browsers) against a running Mira server.
//
//   MIRA_DICOMWEB_URL=http://127.0.0.1:8042/dicomweb MIRA_USER=admin MIRA_PASSWORD=... \
//     node interop.mjs FILE.dcm [FILE.dcm ...]
//
// The files should be ../shared/corpus DICOM objects (Explicit or Implicit VR Little Endian), at least one of them
// multi-frame and at least two sharing a series; their studies should hold nothing else on the server (start from an
// empty archive; a rerun is fine, identical objects are accepted again). What each file should come back as (UIDs, Patient ID,
// Study Description, Number of Frames) is read here from the file itself, not from the server.
//
// Prints one JSON line per check ({"check": ..., "ok": true|false, ...}) and exits 1 on the first failure, with
// a message naming the check.

import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import XMLHttpRequest from 'xhr2';
import dicomweb from 'dicomweb-client';

// dicomweb-client calls `new XMLHttpRequest()`; Node has no such global.
globalThis.XMLHttpRequest = XMLHttpRequest;
const { DICOMwebClient } = dicomweb.api;

const url = process.env.MIRA_DICOMWEB_URL;
const user = process.env.MIRA_USER ?? 'admin';
const password = process.env.MIRA_PASSWORD;
const paths = process.argv.slice(2);
if (!url || !password || paths.length === 0) {
  console.error('usage: MIRA_DICOMWEB_URL=... MIRA_USER=... MIRA_PASSWORD=... node interop.mjs FILE.dcm [FILE.dcm ...]');
  process.exit(2);
}

const basic = (u, p) => ({ Authorization: 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64') });
const client = new DICOMwebClient({ url, headers: basic(user, password), verbose: false });

// ---- checks --------------------------------------------------------------------------------------------------

class CheckFailed extends Error {}

function fail(message) {
  throw new CheckFailed(message);
}

function expect(condition, message) {
  if (!condition) fail(message);
}

function sameSet(actual, expected, what) {
  const a = [...actual].sort();
  const e = [...expected].sort();
  expect(a.length === e.length && a.every((v, i) => v === e[i]), `${what}: got ${JSON.stringify(a)}, expected ${JSON.stringify(e)}`);
}

let passed = 0;
async function check(name, body) {
  try {
    const details = await body();
    passed += 1;
    console.log(JSON.stringify({ check: name, ok: true, ...(details ?? {}) }));
  } catch (e) {
    const message = e instanceof CheckFailed ? e.message
      : e?.status === 0 ? `no HTTP response (${url} unreachable?)`
      : e?.status !== undefined ? `HTTP ${e.status}: ${responseText(e.response)}`
      : String(e?.stack ?? e);
    console.log(JSON.stringify({ check: name, ok: false, message }));
    console.error(`check '${name}' failed: ${message}`);
    process.exit(1);
  }
}

function responseText(response) {
  if (response === undefined || response === null) return '';
  if (typeof response === 'string') return response.slice(0, 500);
  if (response instanceof ArrayBuffer) return Buffer.from(response).toString('utf8', 0, 500);
  return JSON.stringify(response).slice(0, 500);
}

// ---- a minimal PS3.10 header reader (the expectations) ----------------------------------------------------------

const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const IMPLICIT_LE = '1.2.840.10008.1.2';
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);
const WANTED = {
  '00080018': 'sop', '00081030': 'studyDescription', '00100010': 'patientName', '00100020': 'patientId',
  '0020000D': 'study', '0020000E': 'series', '00280008': 'frames', '00080060': 'modality',
};

const tagOf = (group, element) => (group.toString(16).padStart(4, '0') + element.toString(16).padStart(4, '0')).toUpperCase();
const text = (buf, start, length) => buf.toString('latin1', start, start + length).replace(/[\0 ]+$/, '').trim();

/** Reads one element header at pos; returns { tag, vr, length, valueStart }. */
function elementHeader(buf, pos, explicit) {
  const group = buf.readUInt16LE(pos);
  const element = buf.readUInt16LE(pos + 2);
  const tag = tagOf(group, element);
  if (group === 0xfffe || !explicit) return { tag, vr: group === 0xfffe ? null : undefined, length: buf.readUInt32LE(pos + 4), valueStart: pos + 8 };
  const vr = buf.toString('latin1', pos + 4, pos + 6);
  if (LONG_VRS.has(vr)) return { tag, vr, length: buf.readUInt32LE(pos + 8), valueStart: pos + 12 };
  return { tag, vr, length: buf.readUInt16LE(pos + 6), valueStart: pos + 8 };
}

const UNDEFINED = 0xffffffff;

/** Skips a sequence value of undefined length starting at pos (its first item); returns the position after it. */
function skipUndefinedSequence(buf, pos, explicit) {
  for (;;) {
    const item = elementHeader(buf, pos, explicit);
    if (item.tag === 'FFFEE0DD') return item.valueStart;
    if (item.tag !== 'FFFEE000') throw new Error(`expected an item at ${pos}, found ${item.tag}`);
    if (item.length !== UNDEFINED) { pos = item.valueStart + item.length; continue; }
    pos = item.valueStart;
    for (;;) {
      const e = elementHeader(buf, pos, explicit);
      if (e.tag === 'FFFEE00D') { pos = e.valueStart; break; }
      pos = e.length === UNDEFINED ? skipUndefinedSequence(buf, e.valueStart, explicit) : e.valueStart + e.length;
    }
  }
}

/** The top-level attributes the checks need, plus the transfer syntax, from a PS3.10 file. */
function readHeader(buf) {
  expect(buf.toString('latin1', 128, 132) === 'DICM', 'not a PS3.10 file (no DICM prefix)');
  const found = {};
  let pos = 132;
  let explicit = true;
  let inMeta = true;
  while (pos < buf.length) {
    if (inMeta && buf.readUInt16LE(pos) !== 0x0002) {
      inMeta = false;
      if (found.transferSyntax === IMPLICIT_LE) explicit = false;
      else if (found.transferSyntax !== EXPLICIT_LE) fail(`transfer syntax ${found.transferSyntax} is not read by this script`);
      continue;
    }
    const e = elementHeader(buf, pos, explicit);
    if (e.tag === '7FE00010') break;
    if (e.tag === '00020010') found.transferSyntax = text(buf, e.valueStart, e.length);
    if (WANTED[e.tag] && e.length !== UNDEFINED) found[WANTED[e.tag]] = text(buf, e.valueStart, e.length);
    pos = e.length === UNDEFINED ? skipUndefinedSequence(buf, e.valueStart, explicit) : e.valueStart + e.length;
  }
  for (const key of ['sop', 'study', 'series']) expect(found[key], `no ${key} UID in the file`);
  found.frames = Number(found.frames || 1);
  return found;
}

// ---- helpers over DICOM JSON -------------------------------------------------------------------------------------

const value = (obj, tag) => obj?.[tag]?.Value?.[0];
const values = (list, tag) => list.map(o => value(o, tag));
const sha256 = bytes => createHash('sha256').update(Buffer.from(bytes)).digest('hex');

/** A fresh ArrayBuffer holding exactly the file's bytes (a Node Buffer may be a view into a shared pool). */
const arrayBufferOf = buf => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);

// ---- the run -----------------------------------------------------------------------------------------------------

const files = paths.map(path => {
  const bytes = readFileSync(path);
  let header;
  try {
    header = readHeader(bytes);
  } catch (e) {
    console.error(`cannot read ${path}: ${e.message}`);
    process.exit(2);
  }
  return { path, name: basename(path), bytes, hash: sha256(bytes), ...header };
});

const multiFrame = files.find(f => f.frames > 1) ?? fail('no multi-frame file among the arguments');
const bySeries = new Map();
for (const f of files) bySeries.set(f.series, [...(bySeries.get(f.series) ?? []), f]);
const [seriesUid, seriesFiles] = [...bySeries].sort((a, b) => b[1].length - a[1].length)[0];
const studyUid = seriesFiles[0].study;
const studyFiles = files.filter(f => f.study === studyUid);
const studies = [...new Set(files.map(f => f.study))];
expect(seriesFiles.length >= 2, 'no two files share a series');
const patientId = seriesFiles[0].patientId ?? fail('the series has no Patient ID');

await check('stow', async () => {
  const response = await client.storeInstances({ datasets: files.map(f => arrayBufferOf(f.bytes)) });
  const body = typeof response === 'string' ? JSON.parse(response) : response;
  const referenced = body?.['00081199']?.Value ?? [];
  expect(!body?.['00081198'], `Failed SOP Sequence present: ${JSON.stringify(body['00081198'])}`);
  sameSet(values(referenced, '00081155'), files.map(f => f.sop), 'Referenced SOP Instance UIDs');
  for (const r of referenced) expect(typeof value(r, '00081190') === 'string', `no Retrieve URL for ${value(r, '00081155')}`);
  return { stored: referenced.length, multiFrame: multiFrame.name, frames: multiFrame.frames };
});

await check('stow-again', async () => {
  // An identical object sent again: 202 with a warning, which the client treats as success.
  const response = await client.storeInstances({ datasets: [arrayBufferOf(multiFrame.bytes)] });
  const body = typeof response === 'string' ? JSON.parse(response) : response;
  sameSet(values(body?.['00081199']?.Value ?? [], '00081155'), [multiFrame.sop], 'Referenced SOP Instance UIDs');
});

await check('qido-studies-patientid', async () => {
  const found = await client.searchForStudies({ queryParams: { PatientID: patientId } });
  sameSet(values(found, '0020000D'), [...new Set(files.filter(f => f.patientId === patientId).map(f => f.study))], 'studies');
  return { PatientID: patientId, matches: found.length };
});

await check('qido-studies-wildcard', async () => {
  const pattern = multiFrame.patientId.slice(0, 3) + '*';
  const found = await client.searchForStudies({ queryParams: { PatientID: pattern } });
  const expected = [...new Set(files.filter(f => f.patientId?.startsWith(pattern.slice(0, -1))).map(f => f.study))];
  sameSet(values(found, '0020000D'), expected, `studies matching PatientID=${pattern}`);
  return { PatientID: pattern, matches: found.length };
});

await check('qido-studies-includefield', async () => {
  const plain = await client.searchForStudies({ queryParams: { StudyInstanceUID: studyUid } });
  expect(plain.length === 1 && !('00081030' in plain[0]), 'StudyDescription (0008,1030) present without includefield');
  const found = await client.searchForStudies({
    queryParams: { StudyInstanceUID: studyUid, includefield: ['StudyDescription', '00100030'] },
  });
  expect(found.length === 1, `expected one study, got ${found.length}`);
  const [study] = found;
  expect('00081030' in study, 'StudyDescription (0008,1030) not included');
  expect('00100030' in study, 'PatientBirthDate (0010,0030) not included');
  const description = value(study, '00081030') ?? '';
  expect(description === (studyFiles[0].studyDescription ?? ''), `StudyDescription ${JSON.stringify(description)}`);
  const instances = Number(value(study, '00201208'));
  expect(instances === studyFiles.length, `NumberOfStudyRelatedInstances ${instances}, expected ${studyFiles.length}`);
  return { StudyDescription: description, NumberOfStudyRelatedInstances: instances };
});

await check('qido-series', async () => {
  const found = await client.searchForSeries({ studyInstanceUID: studyUid, queryParams: { Modality: seriesFiles[0].modality } });
  const expected = [...new Set(studyFiles.filter(f => f.modality === seriesFiles[0].modality).map(f => f.series))];
  sameSet(values(found, '0020000E'), expected, 'series');
  const row = found.find(s => value(s, '0020000E') === seriesUid);
  expect(Number(value(row, '00201209')) === seriesFiles.length, `NumberOfSeriesRelatedInstances ${value(row, '00201209')}`);
  return { series: found.length };
});

await check('qido-instances-limit-offset', async () => {
  const page = 2;
  const seen = [];
  for (let offset = 0; offset < seriesFiles.length + page; offset += page) {
    const found = await client.searchForInstances({
      studyInstanceUID: studyUid, seriesInstanceUID: seriesUid, queryParams: { limit: page, offset },
    });
    expect(found.length === Math.max(0, Math.min(page, seriesFiles.length - offset)), `offset ${offset}: ${found.length} results`);
    seen.push(...values(found, '00080018'));
  }
  sameSet(seen, seriesFiles.map(f => f.sop), 'instances over all pages');
  return { pages: Math.ceil(seriesFiles.length / page), instances: seen.length };
});

await check('qido-instances-frames', async () => {
  const found = await client.searchForInstances({ queryParams: { SOPInstanceUID: multiFrame.sop } });
  expect(found.length === 1, `expected one instance, got ${found.length}`);
  expect(Number(value(found[0], '00280008')) === multiFrame.frames, `NumberOfFrames ${value(found[0], '00280008')}`);
});

for (const f of files) {
  await check(`wado-instance ${f.name}`, async () => {
    const part = await client.retrieveInstance({ studyInstanceUID: f.study, seriesInstanceUID: f.series, sopInstanceUID: f.sop });
    expect(part instanceof ArrayBuffer, 'the client did not return an ArrayBuffer');
    expect(part.byteLength === f.bytes.length, `${part.byteLength} bytes, the file has ${f.bytes.length}`);
    expect(Buffer.from(part).equals(f.bytes), 'bytes differ from the file');
    return { bytes: part.byteLength, frames: f.frames };
  });
}

await check('wado-instance-metadata', async () => {
  const metadata = await client.retrieveInstanceMetadata({
    studyInstanceUID: multiFrame.study, seriesInstanceUID: multiFrame.series, sopInstanceUID: multiFrame.sop,
  });
  expect(metadata.length === 1, `expected one object, got ${metadata.length}`);
  expect(value(metadata[0], '00080018') === multiFrame.sop, `SOPInstanceUID ${value(metadata[0], '00080018')}`);
  expect(Number(value(metadata[0], '00280008')) === multiFrame.frames, `NumberOfFrames ${value(metadata[0], '00280008')}`);
  expect(!('7FE00010' in metadata[0]) || !metadata[0]['7FE00010'].InlineBinary, 'Pixel Data inline in the metadata');
});

await check('wado-series-metadata', async () => {
  const metadata = await client.retrieveSeriesMetadata({ studyInstanceUID: studyUid, seriesInstanceUID: seriesUid });
  sameSet(values(metadata, '00080018'), seriesFiles.map(f => f.sop), 'SOPInstanceUIDs');
  return { instances: metadata.length };
});

await check('wado-study-metadata', async () => {
  for (const study of studies) {
    const metadata = await client.retrieveStudyMetadata({ studyInstanceUID: study });
    sameSet(values(metadata, '00080018'), files.filter(f => f.study === study).map(f => f.sop), `SOPInstanceUIDs of ${study}`);
    const mf = metadata.find(m => value(m, '00080018') === multiFrame.sop);
    if (mf) expect(Number(value(mf, '00280008')) === multiFrame.frames, `NumberOfFrames ${value(mf, '00280008')}`);
  }
  return { studies: studies.length };
});

await check('wado-series', async () => {
  const parts = await client.retrieveSeries({ studyInstanceUID: studyUid, seriesInstanceUID: seriesUid });
  sameSet(parts.map(sha256), seriesFiles.map(f => f.hash), 'SHA-256 of the parts');
  for (const p of parts) expect(p.transferSyntaxUID === seriesFiles[0].transferSyntax, `a part labelled transfer-syntax=${p.transferSyntaxUID}`);
  return { parts: parts.length };
});

await check('wado-study', async () => {
  const parts = await client.retrieveStudy({ studyInstanceUID: studyUid });
  sameSet(parts.map(sha256), studyFiles.map(f => f.hash), 'SHA-256 of the parts');
  for (const p of parts) expect(typeof p.transferSyntaxUID === 'string' && p.transferSyntaxUID.length > 0, 'a part without transfer-syntax');
  return { parts: parts.length };
});

await check('auth-wrong-password', async () => {
  const intruder = new DICOMwebClient({ url, headers: basic(user, password + '-wrong'), verbose: false });
  let status;
  try {
    await intruder.searchForStudies({ queryParams: { PatientID: patientId } });
  } catch (e) {
    status = e.status;
  }
  expect(status === 401, `expected the client to report 401, got ${status ?? 'success'}`);
  try {
    await intruder.storeInstances({ datasets: [arrayBufferOf(files[0].bytes)] });
    status = 200;
  } catch (e) {
    status = e.status;
  }
  expect(status === 401, `STOW: expected the client to report 401, got ${status}`);
  return { status };
});

console.log(JSON.stringify({ check: 'summary', ok: true, passed }));
