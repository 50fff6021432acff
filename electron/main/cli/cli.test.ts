import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { TRANSFER_SYNTAX } from '../../../shared/dicom/transfer-syntax';
import { testUid, writeInstance } from '../dicom-write/synthetic-study';
import { tempDir } from '../test-support/temp-dir';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');

/** Runs the CLI exactly as the README says: `npm run --silent cli -- …`. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npm', ['run', '--silent', 'cli', '--', ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('studyshare CLI', () => {
  it('imports a folder and lists its studies as JSON', async () => {
    const dir = tempDir();
    const input = path.join(dir, 'in');
    mkdirSync(input);
    writeFileSync(
      path.join(input, 'a.dcm'),
      writeInstance({
        specificCharacterSet: 'ISO_IR 100',
        patientName: 'Müller^Jürgen ',
        patientId: 'PID1',
        patientBirthDate: '19800910',
        patientSex: 'M',
        studyInstanceUid: testUid(1),
        studyDate: '20240102',
        studyTime: '093000',
        accessionNumber: 'ACC1',
        studyDescription: 'MR Knee',
        referringPhysicianName: 'Welby^Marcus',
        institutionName: 'General',
        seriesInstanceUid: testUid(1, 1),
        modality: 'MR',
        sopInstanceUid: testUid(1, 1, 1),
      }),
    );
    writeFileSync(
      path.join(input, 'b.dcm'),
      writeInstance(
        { studyInstanceUid: testUid(1), seriesInstanceUid: testUid(1, 2), modality: 'CT', sopInstanceUid: testUid(1, 2, 1) },
        { transferSyntaxUid: TRANSFER_SYNTAX.explicitBigEndian },
      ),
    );
    writeFileSync(path.join(input, 'readme.txt'), 'not dicom');
    const db = path.join(dir, 'index.sqlite');

    const imported = await cli('import', input, '--db', db, '--json');
    expect(imported.code).toBe(0);
    const summary = JSON.parse(imported.stdout);
    expect(Object.keys(summary)).toEqual(
      expect.arrayContaining(['filesSeen', 'imported', 'duplicates', 'errors', 'studies', 'series', 'instances', 'seconds']),
    );
    expect(summary).toMatchObject({
      filesSeen: 3,
      imported: 2,
      duplicates: 0,
      errors: [{ path: path.join(input, 'readme.txt'), reason: expect.stringMatching(/Not a DICOM file/) }],
      studies: 1,
      series: 2,
      instances: 2,
    });
    expect(typeof summary.seconds).toBe('number');

    const listed = await cli('studies', '--db', db, '--json');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      {
        studyInstanceUid: testUid(1),
        patientName: 'Müller^Jürgen',
        patientId: 'PID1',
        patientBirthDate: '1980-09-10',
        studyDate: '2024-01-02',
        studyTime: '09:30:00',
        patientSex: 'M',
        accessionNumber: 'ACC1',
        studyDescription: 'MR Knee',
        referringPhysicianName: 'Welby^Marcus',
        institutionName: 'General',
        modalities: ['CT', 'MR'],
        seriesCount: 2,
        instanceCount: 2,
      },
    ]);

    const filtered = await cli('studies', '--db', db, '--search', 'mull', '--modality', 'ct', '--json');
    expect(JSON.parse(filtered.stdout)).toHaveLength(1);
    const none = await cli('studies', '--db', db, '--modality', 'US', '--json');
    expect(JSON.parse(none.stdout)).toEqual([]);
  });

  it('exits 2 with usage on bad arguments, and 1 with a plain message on failure', async () => {
    const dir = tempDir();
    const noCommand = await cli();
    expect(noCommand.code).toBe(2);
    const badFlag = await cli('studies', '--db', path.join(dir, 'x.sqlite'), '--colour');
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/Unknown option '--colour'/);
    const noDb = await cli('import', dir);
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toMatch(/--db <file> is required/);

    const missingIndex = await cli('studies', '--db', path.join(dir, 'none.sqlite'), '--json');
    expect(missingIndex.code).toBe(1);
    expect(missingIndex.stderr).toMatch(/No study index at/);
    expect(missingIndex.stdout).toBe('');
    const missingFolder = await cli('import', path.join(dir, 'nope'), '--db', path.join(dir, 'i.sqlite'), '--json');
    expect(missingFolder.code).toBe(1);
    expect(missingFolder.stderr).toMatch(/No such file or folder/);
  });
});
