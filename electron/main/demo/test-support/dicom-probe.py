"""Reads DICOM files with pydicom for the demo's tests: an implementation independent of ours.

Input (stdin, JSON): {"files": [{"path": ..., "frame": 0, "points": [[row, column], ...]}]}
Output (stdout, JSON): per file, the header fields the tests check and the values at the points
with the Modality LUT (Rescale Slope/Intercept) applied. Compressed files are decompressed by
the caller with dcmtk or GDCM first; HTJ2K frames, which neither decodes, go through OpenJPH's
ojph_expand here.
"""

HTJ2K = {'1.2.840.10008.1.2.4.201', '1.2.840.10008.1.2.4.202', '1.2.840.10008.1.2.4.203'}


def read_pgm(path):
    with open(path, 'rb') as f:
        data = f.read()
    fields = []
    at = 0
    while len(fields) < 4:
        while data[at:at + 1].isspace():
            at += 1
        end = at
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[at:end])
        at = end
    at += 1
    width, height, maxval = int(fields[1]), int(fields[2]), int(fields[3])
    dtype = '>u2' if maxval > 255 else 'u1'
    return np.frombuffer(data[at:], dtype=dtype, count=width * height).reshape(height, width)


def htj2k_frame(ds, frame):
    frames = list(pydicom.encaps.generate_pixel_data_frame(ds.PixelData, int(ds.get('NumberOfFrames', 1))))
    with tempfile.TemporaryDirectory() as work:
        source = os.path.join(work, 'frame.j2c')
        target = os.path.join(work, 'frame.pgm')
        with open(source, 'wb') as f:
            f.write(frames[frame])
        subprocess.run(['ojph_expand', '-i', source, '-o', target], check=True, capture_output=True)
        return read_pgm(target)
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pydicom

FIELDS = [
    'PatientID', 'PatientName', 'PatientSex', 'PatientBirthDate', 'PatientAge', 'StudyInstanceUID', 'StudyDescription',
    'AccessionNumber', 'ReferringPhysicianName', 'SeriesInstanceUID', 'SeriesDescription', 'SeriesNumber', 'Modality',
    'BodyPartExamined', 'SOPClassUID', 'InstanceNumber', 'Rows', 'Columns', 'BitsAllocated', 'BitsStored',
    'PixelRepresentation', 'PhotometricInterpretation', 'NumberOfFrames', 'FrameTime', 'ImagePositionPatient',
    'ImageOrientationPatient', 'PixelSpacing', 'ImagerPixelSpacing', 'SliceLocation', 'SliceThickness',
    'RescaleIntercept', 'RescaleSlope', 'WindowCenter', 'WindowWidth', 'ImageLaterality', 'ViewPosition',
    'PatientOrientation', 'LossyImageCompression',
]


def plain(value):
    if isinstance(value, pydicom.multival.MultiValue):
        return [plain(v) for v in value]
    if isinstance(value, (pydicom.valuerep.DSfloat, pydicom.valuerep.DSdecimal, float)):
        return float(value)
    if isinstance(value, (pydicom.valuerep.IS, int)):
        return int(value)
    return str(value)


def probe(request):
    headers_only = not request.get('points') and not request.get('all')
    ds = pydicom.dcmread(request['path'], stop_before_pixels=headers_only)
    out = {'transferSyntax': str(ds.file_meta.TransferSyntaxUID)}
    for field in FIELDS:
        if field in ds:
            out[field] = plain(ds.data_element(field).value)
    if not headers_only:
        if out['transferSyntax'] in HTJ2K:
            pixels = htj2k_frame(ds, request.get('frame', 0))
        else:
            pixels = ds.pixel_array
            if int(ds.get('NumberOfFrames', 1)) > 1:
                pixels = pixels[request.get('frame', 0)]
        values = pixels.astype(np.float64) * float(ds.get('RescaleSlope', 1)) + float(ds.get('RescaleIntercept', 0))
        if request.get('all'):
            out['values'] = [float(v) for v in values.reshape(-1)]
        else:
            out['values'] = [float(values[r, c]) for r, c in request['points']]
        out['mean'] = float(values.mean())
    return out


def main():
    request = json.load(sys.stdin)
    json.dump([probe(f) for f in request['files']], sys.stdout)


main()
