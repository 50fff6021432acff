#!/usr/bin/python3
"""
A CT series for bench:viewer: N slices of 512×512, 16-bit signed with rescale to HU (a body
ellipse of soft tissue, two lungs, a spine and a table, with noise), 1 mm apart, in one study;
then the same series as JPEG 2000 lossless (GDCM) in a second study, when asked.

Usage: ct-series.py <folder> <slices> [--j2k]   (writes <folder>/raw/*.dcm and <folder>/j2k/*.dcm)
"""
import os
import subprocess
import sys

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

folder, count = sys.argv[1], int(sys.argv[2])
j2k = "--j2k" in sys.argv
y, x = np.mgrid[0:512, 0:512].astype(np.float32)
rng = np.random.default_rng(7)


def phantom(z):
    hu = np.full((512, 512), -1000, np.float32)
    body = ((x - 256) / 200) ** 2 + ((y - 270) / 150) ** 2 < 1
    hu[body] = 40
    for cx in (180, 332):
        lung = ((x - cx) / (60 + 10 * np.sin(z / 40))) ** 2 + ((y - 250) / 80) ** 2 < 1
        hu[lung] = -820
    spine = ((x - 256) / 28) ** 2 + ((y - 360) / 26) ** 2 < 1
    hu[spine] = 700
    table = (y > 440) & (y < 450)
    hu[table] = 200
    hu += rng.normal(0, 12, hu.shape)
    return np.clip(hu + 1024, 0, 4095).astype(np.int16)


def write(study, series, description, target_dir):
    os.makedirs(target_dir, exist_ok=True)
    for i in range(count):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = Dataset()
        ds.file_meta = meta
        ds.is_little_endian, ds.is_implicit_VR = True, False
        ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
        ds.PatientName, ds.PatientID, ds.PatientBirthDate = "Bench^Viewer", "BENCH-VIEW", "19700101"
        ds.StudyDate, ds.StudyDescription, ds.AccessionNumber = "20240401", description, description[:16]
        ds.Modality, ds.SeriesNumber, ds.SeriesDescription, ds.InstanceNumber = "CT", 1, "Axial 1 mm", i + 1
        ds.Rows = ds.Columns = 512
        ds.PixelSpacing = [0.7, 0.7]
        ds.ImagePositionPatient = [-179.2, -179.2, -i * 1.0]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.SliceLocation = -i * 1.0
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 1
        ds.RescaleSlope, ds.RescaleIntercept = 1, -1024
        ds.WindowCenter, ds.WindowWidth = 40, 400
        ds.PixelData = phantom(i).tobytes()
        ds.save_as(os.path.join(target_dir, f"{i + 1:04d}.dcm"), write_like_original=False)


write(generate_uid(), generate_uid(), "Bench CT uncompressed", os.path.join(folder, "raw"))
if j2k:
    study, series = generate_uid(), generate_uid()
    tmp = os.path.join(folder, "tmp")
    write(study, series, "Bench CT JPEG 2000", tmp)
    out = os.path.join(folder, "j2k")
    os.makedirs(out, exist_ok=True)
    for name in sorted(os.listdir(tmp)):
        subprocess.run(["gdcmconv", "--j2k", os.path.join(tmp, name), os.path.join(out, name)], check=True)
        os.remove(os.path.join(tmp, name))
    os.rmdir(tmp)
print(f"{count} slices in {folder}")
