import { describe, expect, it } from 'vitest';
import { dicomFlagsFromEnvironment, takeDicomFlags } from './dicom-flags';

describe('--dicom-port and --ae-title', () => {
  it.each([
    [['--dicom-port', '11112'], { port: 11112 }, []],
    [['--ae-title=READING_1', '--data', '/x'], { aeTitle: 'READING_1' }, ['--data', '/x']],
    [['--port', '5', '--dicom-port=104', '--ae-title', ' WS 2 '], { port: 104, aeTitle: 'WS 2' }, ['--port', '5']],
  ])('takes %j', (args, flags, rest) => {
    expect(takeDicomFlags(args)).toEqual({ flags, rest });
  });

  it.each([
    [['--dicom-port', '0'], /1 to 65535/],
    [['--dicom-port', '70000'], /1 to 65535/],
    [['--dicom-port', 'abc'], /1 to 65535/],
    [['--dicom-port'], /needs a value/],
    [['--ae-title', 'A_TITLE_THAT_IS_TOO_LONG'], /1 to 16/],
    [['--ae-title', 'BACK\\SLASH'], /backslash/],
  ])('refuses %j with a sentence', (args, message) => {
    expect(() => takeDicomFlags(args)).toThrow(message);
  });

  it('reads them back from the environment the start script sets', () => {
    expect(dicomFlagsFromEnvironment({ STUDYSHARE_DICOM_PORT: '11112', STUDYSHARE_AE_TITLE: 'WS1' })).toEqual({ port: 11112, aeTitle: 'WS1' });
    expect(dicomFlagsFromEnvironment({})).toEqual({});
  });
});
