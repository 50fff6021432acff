/**
 * bench:upload — the hub's memory while it receives large files: a hub process, one 1 GiB
 * DICOM upload (a real header and a 1 GiB Pixel Data element, generated as it streams, never
 * written to disk), then four at once, with the hub's peak RSS for each. The targets: under
 * 200 MB for one, under 250 MB for four.
 *
 *   npm run bench:upload [-- --mib 1024]
 */
import { parseArgs } from 'node:util';
import { startUploadHub, uploadGenerated, withPeakRss } from './upload-client';

const { values } = parseArgs({ options: { mib: { type: 'string', default: '1024' } } });
const bytes = Number(values.mib) * 1024 * 1024;
const mb = (n: number): string => `${(n / 1e6).toFixed(0)} MB`;

const hub = await startUploadHub({ built: true });
try {
  const single = await withPeakRss(hub.process.pid!, () => uploadGenerated(hub, '1.2.826.0.1.3680043.10.1234.900.1', bytes));
  if (single.result.status !== 201) throw new Error(`The upload was refused: ${single.result.status} ${single.result.body}`);
  console.log(`one upload of ${values.mib} MiB: hub RSS ${mb(single.before)} before, peak ${mb(single.peak)} (target < 200 MB)`);
  const four = await withPeakRss(hub.process.pid!, () => Promise.all([2, 3, 4, 5].map((n) => uploadGenerated(hub, `1.2.826.0.1.3680043.10.1234.900.${n}`, bytes))));
  const refused = four.result.filter((r) => r.status !== 201);
  if (refused.length > 0) throw new Error(`${refused.length} of the four uploads were refused: ${refused[0].status} ${refused[0].body}`);
  console.log(`four uploads of ${values.mib} MiB at once: hub RSS ${mb(four.before)} before, peak ${mb(four.peak)} (target < 250 MB)`);
} finally {
  await hub.stop();
}
