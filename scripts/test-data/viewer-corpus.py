#!/usr/bin/python3
"""
The viewer's test corpus: one study, one series per kind of image the import accepts (transfer
syntax, photometric interpretation, bit depth, sign, rescale, multi-frame), written with pydicom
and compressed by DCMTK (dcmcjpeg, dcmcjpls, dcmcrle, dcmconv) and GDCM (gdcmconv --j2k), plus
pydicom's own test files; and a second study of bad input (damaged files beside good ones).

For every series it writes the values a region of one frame must have, computed independently of
the viewer: each compressed file is decompressed again by the tool that knows its codec (dcmdjpeg,
dcmdjpls, dcmdrle, gdcmconv --raw) and read with pydicom/numpy, with the modality rescale applied
(grey) or as RGB (colour). Lossless codecs must then equal the source exactly; lossy ones equal
what the reference decoder made of them, within a tolerance the test states.

Usage: viewer-corpus.py <output folder>   (writes <folder>/files/... and <folder>/expected.json)
Needs Debian's python3-pydicom, python3-numpy, dcmtk and libgdcm-tools.
"""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

OUT = sys.argv[1]
FILES = os.path.join(OUT, "files")
WORK = os.path.join(OUT, "work")
os.makedirs(FILES, exist_ok=True)
os.makedirs(WORK, exist_ok=True)
PYDICOM_DATA = "/usr/lib/python3/dist-packages/pydicom/data/test_files"

STUDY = generate_uid(prefix="1.2.826.0.1.3680043.10.543.1.")
BAD_STUDY = generate_uid(prefix="1.2.826.0.1.3680043.10.543.2.")
PATIENT = ("Viewer^Test", "VIEW-001")
REGION = (20, 24, 4, 3)  # x, y, width, height
expected = []
series_number = [0]


def run(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def base(rows, cols, study=STUDY, modality="CT", description="", frames=1):
    series_number[0] += 1
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"  # Secondary Capture
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = study
    ds.SeriesInstanceUID = generate_uid()
    ds.PatientName, ds.PatientID = PATIENT
    ds.PatientBirthDate = "19600101"
    ds.StudyDate = "20240301" if study == STUDY else "20240302"
    ds.StudyDescription = "Viewer corpus" if study == STUDY else "Viewer bad input"
    ds.AccessionNumber = "VC1" if study == STUDY else "VC2"
    ds.Modality = modality
    ds.SeriesNumber = series_number[0]
    ds.SeriesDescription = description
    ds.InstanceNumber = 1
    ds.Rows, ds.Columns = rows, cols
    ds.PixelSpacing = [0.5, 0.5]
    if frames > 1:
        ds.NumberOfFrames = frames
    return ds


def grey(ds, array, bits_stored, signed, photometric="MONOCHROME2", slope=None, intercept=None):
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = photometric
    ds.BitsAllocated = 8 if array.dtype.itemsize == 1 else 16
    ds.BitsStored = bits_stored
    ds.HighBit = bits_stored - 1
    ds.PixelRepresentation = 1 if signed else 0
    if slope is not None:
        ds.RescaleSlope = slope
        ds.RescaleIntercept = intercept
    ds.PixelData = array.tobytes()
    return ds


def rgb(ds, array, photometric="RGB"):
    ds.SamplesPerPixel = 3
    ds.PhotometricInterpretation = photometric
    ds.PlanarConfiguration = 0
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    ds.PixelData = array.astype(np.uint8).tobytes()
    return ds


def ramp(rows, cols, lo, hi, dtype, seed):
    y, x = np.mgrid[0:rows, 0:cols]
    rng = np.random.default_rng(seed)
    values = lo + (x * 7 + y * 13) % (hi - lo) + rng.integers(0, 3, size=(rows, cols))
    return np.clip(values, lo, hi).astype(dtype)


def save(ds, name):
    path = os.path.join(WORK, name + ".dcm")
    ds.save_as(path, write_like_original=False)
    return path


def reference_pixels(path):
    """Region values of frame `frame` of an uncompressed file, as the viewer must show them."""
    ds = pydicom.dcmread(path)
    array = ds.pixel_array
    return ds, array


def region_of(ds, array, frame=0):
    x, y, w, h = REGION
    if getattr(ds, "NumberOfFrames", 1) and int(getattr(ds, "NumberOfFrames", 1)) > 1:
        array = array[frame]
    if ds.SamplesPerPixel == 3:
        if ds.PhotometricInterpretation != "RGB":
            array = pydicom.pixel_data_handlers.util.convert_color_space(array, ds.PhotometricInterpretation, "RGB")
        return array[y:y + h, x:x + w, :].astype(np.int64).reshape(-1).tolist()
    if ds.PhotometricInterpretation == "PALETTE COLOR":
        lut = pydicom.pixel_data_handlers.util.apply_color_lut(array, ds)
        # 16-bit palette entries: the viewer keeps the high byte, as Cornerstone draws 8 bits.
        return (lut[y:y + h, x:x + w, :].astype(np.int64) >> 8).reshape(-1).tolist()
    values = array[y:y + h, x:x + w].astype(np.float64)
    slope = float(getattr(ds, "RescaleSlope", 1) or 1)
    intercept = float(getattr(ds, "RescaleIntercept", 0) or 0)
    return (values * slope + intercept).reshape(-1).tolist()


def add(name, description, final_path, reference_path, tolerance=0, frame=0, ts_label=""):
    target = os.path.join(FILES, name + ".dcm")
    shutil.copyfile(final_path, target)
    ds, array = reference_pixels(reference_path)
    expected.append({
        "name": name,
        # The series as the viewer lists it (its Series Description); `label` says what is checked.
        "description": str(pydicom.dcmread(final_path, stop_before_pixels=True).SeriesDescription),
        "label": description,
        "transferSyntax": ts_label or str(pydicom.dcmread(final_path, stop_before_pixels=True).file_meta.TransferSyntaxUID),
        "frame": frame,
        "region": list(REGION),
        "channels": 3 if (ds.SamplesPerPixel == 3 or ds.PhotometricInterpretation == "PALETTE COLOR") else 1,
        "values": region_of(ds, array, frame),
        "tolerance": tolerance,
    })


def variant(name, description, source, tool_args, decompress_args, tolerance=0):
    """`source` compressed by `tool_args` (source, target appended), then decompressed for the reference."""
    compressed = os.path.join(WORK, name + ".dcm")
    run(*tool_args, source, compressed)
    reference = os.path.join(WORK, name + ".ref.dcm")
    run(*decompress_args, compressed, reference)
    add(name, description, compressed, reference, tolerance)


def fresh(ds):
    """The same pixels as a new series and instance (each kind is its own series)."""
    copy = pydicom.dcmread(save(ds, "tmp-" + generate_uid()[-8:]))
    series_number[0] += 1
    copy.SeriesInstanceUID = generate_uid()
    copy.SOPInstanceUID = generate_uid()
    copy.file_meta.MediaStorageSOPInstanceUID = copy.SOPInstanceUID
    copy.SeriesNumber = series_number[0]
    return copy


def described(ds, text):
    ds.SeriesDescription = text
    return ds


# --- Grey, 16-bit signed CT with rescale (HU), the base of most variants -----------------------
ct_pixels = ramp(64, 64, -1000, 2000, np.int16, 1)
ct = grey(base(64, 64, description="Explicit VR little endian, 16-bit signed"), ct_pixels, 16, True, slope=1, intercept=-1024)
ct.WindowCenter, ct.WindowWidth = 40, 400
ct_path = save(ct, "ct-explicit")
add("ct-explicit", ct.SeriesDescription, ct_path, ct_path)

for name, flag, text in [("ct-implicit", "+ti", "Implicit VR little endian"), ("ct-big-endian", "+tb", "Explicit VR big endian"), ("ct-deflated", "+td", "Deflated explicit VR little endian")]:
    source = save(described(fresh(ct), text), name + "-src")
    variant(name, text, source, ["dcmconv", flag], ["dcmconv", "+te"])

source = save(described(fresh(ct), "RLE lossless"), "ct-rle-src")
variant("ct-rle", "RLE lossless", source, ["dcmcrle"], ["dcmdrle"])
source = save(described(fresh(ct), "JPEG lossless, process 14 SV1"), "ct-jpeg-sv1-src")
variant("ct-jpeg-sv1", "JPEG lossless, process 14 SV1", source, ["dcmcjpeg", "+e1"], ["dcmdjpeg"])
source = save(described(fresh(ct), "JPEG lossless, process 14"), "ct-jpeg-p14-src")
variant("ct-jpeg-p14", "JPEG lossless, process 14", source, ["dcmcjpeg", "+el"], ["dcmdjpeg"])
source = save(described(fresh(ct), "JPEG-LS lossless"), "ct-jls-src")
variant("ct-jls", "JPEG-LS lossless", source, ["dcmcjpls", "+el"], ["dcmdjpls"])
source = save(described(fresh(ct), "JPEG 2000 lossless"), "ct-j2k-src")
variant("ct-j2k", "JPEG 2000 lossless", source, ["gdcmconv", "--j2k"], ["gdcmconv", "--raw"])
source = save(described(fresh(ct), "JPEG 2000 lossy"), "ct-j2k-lossy-src")
variant("ct-j2k-lossy", "JPEG 2000 lossy", source, ["gdcmconv", "--j2k", "--lossy", "-q", "30"], ["gdcmconv", "--raw"], tolerance=2)

# --- 8-bit and 12-bit grey: JPEG baseline and extended (lossy) ---------------------------------
mono8 = grey(base(64, 64, modality="OT", description="8-bit unsigned, explicit VR little endian"), ramp(64, 64, 0, 255, np.uint8, 2), 8, False)
mono8_path = save(mono8, "mono8")
add("mono8", mono8.SeriesDescription, mono8_path, mono8_path)
source = save(described(fresh(mono8), "JPEG baseline (process 1), 8-bit"), "mono8-jpeg-src")
variant("mono8-jpeg-baseline", "JPEG baseline (process 1), 8-bit", source, ["dcmcjpeg", "+eb"], ["dcmdjpeg"], tolerance=1)
mono12 = grey(base(64, 64, modality="OT", description="JPEG extended (process 2 & 4), 12-bit"), ramp(64, 64, 0, 4000, np.uint16, 3), 12, False)
source = save(mono12, "mono12-src")
variant("mono12-jpeg-extended", "JPEG extended (process 2 & 4), 12-bit", source, ["dcmcjpeg", "+ee"], ["dcmdjpeg"], tolerance=1)
# DCMTK encodes near-lossless JPEG-LS for unsigned data only.
source = save(described(fresh(mono12), "JPEG-LS near-lossless (NEAR 2), 12-bit"), "mono12-jls-near-src")
variant("mono12-jls-near", "JPEG-LS near-lossless (NEAR 2), 12-bit", source, ["dcmcjpls", "+en"], ["dcmdjpls"])

# --- MONOCHROME1, fractional rescale, multi-frame -------------------------------------------------
m1 = grey(base(64, 64, modality="CR", description="MONOCHROME1, 16-bit unsigned"), ramp(64, 64, 0, 4095, np.uint16, 4), 12, False, photometric="MONOCHROME1")
del m1.PixelSpacing
m1.ImagerPixelSpacing = [0.2, 0.2]
p = save(m1, "mono1")
add("mono1", m1.SeriesDescription, p, p)
frac = grey(base(64, 64, modality="PT", description="Rescale slope 0.5, intercept -10"), ramp(64, 64, 0, 30000, np.uint16, 5), 16, False, slope=0.5, intercept=-10)
p = save(frac, "rescale-fraction")
# A fractional rescale is applied in 32-bit floats (Cornerstone stores rescaled values as Float32):
# HU-like values of a few hundred keep about 0.01 of precision.
add("rescale-fraction", frac.SeriesDescription, p, p, tolerance=0.02)
frames = np.stack([ramp(64, 64, 0, 3000, np.int16, 10 + f) for f in range(3)])
mf = grey(base(64, 64, modality="XA", description="Multi-frame, 3 frames", frames=3), frames, 16, True)
mf.FrameTime = 100
p = save(mf, "multiframe")
add("multiframe", mf.SeriesDescription, p, p, frame=1, ts_label="1.2.840.10008.1.2.1 (frame 2 of 3)")
source = save(described(fresh(mf), "Multi-frame JPEG-LS lossless"), "multiframe-jls-src")
compressed = os.path.join(WORK, "multiframe-jls.dcm")
run("dcmcjpls", "+el", source, compressed)
add("multiframe-jls", "Multi-frame JPEG-LS lossless (frame 3 of 3)", compressed, source, frame=2)

# --- Colour: RGB, YBR_FULL, YBR_FULL_422 (JPEG), PALETTE COLOR ------------------------------------
y, x = np.mgrid[0:64, 0:64]
colour = np.stack([(x * 4) % 256, (y * 4) % 256, ((x + y) * 2) % 256], axis=-1).astype(np.uint8)
rgb_ds = rgb(base(64, 64, modality="OT", description="RGB, 8-bit"), colour)
p = save(rgb_ds, "rgb")
add("rgb", rgb_ds.SeriesDescription, p, p)
source = save(described(fresh(rgb_ds), "RGB as JPEG baseline (YBR_FULL_422)"), "rgb-jpeg-src")
variant("rgb-jpeg-baseline", "RGB as JPEG baseline (YBR_FULL_422)", source, ["dcmcjpeg", "+eb"], ["dcmdjpeg"], tolerance=8)
source = save(described(fresh(rgb_ds), "RGB as JPEG 2000 lossless"), "rgb-j2k-src")
variant("rgb-j2k", "RGB as JPEG 2000 lossless", source, ["gdcmconv", "--j2k"], ["gdcmconv", "--raw"])
source = save(described(fresh(rgb_ds), "RGB as RLE"), "rgb-rle-src")
variant("rgb-rle", "RGB as RLE lossless", source, ["dcmcrle"], ["dcmdrle"])
ybr = pydicom.pixel_data_handlers.util.convert_color_space(colour, "RGB", "YBR_FULL")
ybr_ds = rgb(base(64, 64, modality="OT", description="YBR_FULL, 8-bit"), ybr, photometric="YBR_FULL")
p = save(ybr_ds, "ybr-full")
add("ybr-full", ybr_ds.SeriesDescription, p, p, tolerance=1)
pal = base(64, 64, modality="OT", description="PALETTE COLOR, 8-bit indices, 16-bit entries")
pal.SamplesPerPixel = 1
pal.PhotometricInterpretation = "PALETTE COLOR"
pal.BitsAllocated = pal.BitsStored = 8
pal.HighBit = 7
pal.PixelRepresentation = 0
for channel, shift in (("Red", 0), ("Green", 85), ("Blue", 170)):
    setattr(pal, f"{channel}PaletteColorLookupTableDescriptor", [256, 0, 16])
    entries = ((np.arange(256) + shift) % 256).astype(np.uint16) * 257
    setattr(pal, f"{channel}PaletteColorLookupTableData", entries.tobytes())
pal.PixelData = ((x * 3 + y) % 256).astype(np.uint8).tobytes()
p = save(pal, "palette")
add("palette", pal.SeriesDescription, p, p)

# --- pydicom's own files, as other software wrote them --------------------------------------------
for name, file, tolerance in [("pydicom-ct-small", "CT_small.dcm", 0), ("pydicom-mr-jpeg-ls", "MR_small_jpeg_ls_lossless.dcm", 0), ("pydicom-mr-rle", "MR_small_RLE.dcm", 0), ("pydicom-mr-j2k", "MR_small_jp2klossless.dcm", 0), ("pydicom-ybr-422", "SC_ybr_full_422_uncompressed.dcm", 1), ("pydicom-jpeg-extended", "JPGExtended.dcm", 2)]:
    ds = pydicom.dcmread(os.path.join(PYDICOM_DATA, file))
    series_number[0] += 1
    ds.StudyInstanceUID = STUDY
    ds.SeriesInstanceUID = generate_uid()
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.SeriesNumber = series_number[0]
    ds.SeriesDescription = f"pydicom {file}"
    ds.PatientName, ds.PatientID = PATIENT
    ds.StudyDate, ds.StudyDescription, ds.AccessionNumber = "20240301", "Viewer corpus", "VC1"
    path = os.path.join(WORK, name + ".dcm")
    ds.save_as(path, write_like_original=False)
    ts = str(ds.file_meta.TransferSyntaxUID)
    reference = os.path.join(WORK, name + ".ref.dcm")
    if ts in ("1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81"):
        run("dcmdjpls", path, reference)
    elif ts == "1.2.840.10008.1.2.5":
        run("dcmdrle", path, reference)
    elif ts in ("1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91"):
        run("gdcmconv", "--raw", path, reference)
    elif ts.startswith("1.2.840.10008.1.2.4."):
        run("dcmdjpeg", path, reference)
    else:
        reference = path
    add(name, ds.SeriesDescription, path, reference, tolerance)

# --- Bad input: a second study whose series mix good images with damaged ones --------------------
bad = []


def bad_file(name, ds_or_path, damage=None, instance=1, series=None):
    path = ds_or_path if isinstance(ds_or_path, str) else save(ds_or_path, name)
    target = os.path.join(FILES, name + ".dcm")
    shutil.copyfile(path, target)
    return target


series_uid = generate_uid()
good_pixels = ramp(64, 64, 0, 1000, np.int16, 20)
for number in (1, 2, 3):
    ds = grey(base(64, 64, study=BAD_STUDY, description="Truncated middle image"), good_pixels, 16, True)
    series_number[0] -= 1 if number > 1 else 0
    ds.SeriesInstanceUID = series_uid
    ds.InstanceNumber = number
    bad_file(f"bad-truncated-{number}", ds)
bad.append({"series": "Truncated middle image", "damaged": [2], "damage": "truncate-after-import", "file": "bad-truncated-2.dcm"})

ds = grey(base(64, 64, study=BAD_STUDY, description="Frame count larger than the data", frames=5), np.stack([good_pixels] * 2), 16, True)
bad_file("bad-frames", ds)
bad.append({"series": "Frame count larger than the data", "damaged": [3, 4, 5]})

ds = grey(base(64, 64, study=BAD_STUDY, description="Wrong Bits Allocated"), good_pixels.astype(np.uint8), 8, False)
ds.BitsAllocated = 16
ds.BitsStored = 16
ds.HighBit = 15
bad_file("bad-bits", ds)
bad.append({"series": "Wrong Bits Allocated", "damaged": [1]})

ds = grey(base(64, 64, study=BAD_STUDY, description="Codec failure"), good_pixels, 16, True)
src = save(ds, "bad-codec-src")
broken = os.path.join(WORK, "bad-codec.dcm")
run("gdcmconv", "--j2k", src, broken)
data = bytearray(open(broken, "rb").read())
# The codestream's main header sits just after the pixel data's fragment headers: wipe it.
marker = data.find(b"\xff\x4f\xff\x51")
data[marker:marker + 64] = b"\x00" * 64
open(broken, "wb").write(bytes(data))
bad_file("bad-codec", broken)
bad.append({"series": "Codec failure", "damaged": [1]})

mixed_uid = generate_uid()
for number, (r, c) in enumerate([(64, 64), (48, 32), (64, 64)], start=1):
    ds = grey(base(r, c, study=BAD_STUDY, description="Mixed sizes"), ramp(r, c, 0, 1000, np.int16, 30 + number), 16, True)
    ds.SeriesInstanceUID = mixed_uid
    ds.InstanceNumber = number
    bad_file(f"bad-mixed-{number}", ds)
bad.append({"series": "Mixed sizes", "damaged": []})

shutil.rmtree(WORK)
with open(os.path.join(OUT, "expected.json"), "w") as out:
    json.dump({"study": STUDY, "badStudy": BAD_STUDY, "series": expected, "bad": bad}, out)
print(f"{len(expected)} kinds, {len(bad)} bad series in {FILES}")
