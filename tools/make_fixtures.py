#!/usr/bin/env python
"""Write the tiny benchmark fixtures in data_samples/ from SynthScenes renders (deterministic).

Usage: python tools/make_fixtures.py [--out data_samples]

data_samples/nyud/    NYUD-v2, ATRC layout, real size 425x560: images/<id>.png, segmentation/<id>.png (label+1, 0 void),
                      depth/<id>.npy (float32 metres, 0 invalid), normals/<id>.png (v = (n+1)*255/2), edge/<id>.png (0/255),
                      gt_sets/{train,val}.txt  -- 2 train + 1 val
data_samples/pascal/  PASCAL-Context, PASCAL_MT layout, real size 375x500: JPEGImages/<id>.jpg,
                      ImageSets/Context/{train,val}.txt, semseg/VOC12|pascal-context/<id>.png (21 classes),
                      human_parts/<id>.mat (PASCAL-Part `anno` struct, scipy.io.savemat), normals_distill/<id>.png,
                      sal_distill/<id>.png (0/255), pascal-context/trainval/<id>.mat (`LabelMap`, uint16)
                      -- 3 train + 2 val; one val image has no person, the first train id's semseg lives in VOC12/

Renders are made at the next multiple-of-32 size (448x576, 384x512) and centre-cropped to the real sizes."""
import argparse, shutil
from pathlib import Path
import numpy as np
from PIL import Image
from langsam_nb.synth import render_scene, SYNTH_CLASSES
from langsam_nb.data import write_parts_mat

SEED = 2024
# SynthScenes class -> a PASCAL VOC class id (0 background, 9 chair, 5 bottle, 11 diningtable, 15 person, 20 tvmonitor)
TO_VOC = {'floor': 0, 'wall': 0, 'ceiling': 0, 'box': 9, 'sphere': 5, 'cylinder': 5, 'person': 15, 'table': 11, 'picture': 20}
VOC = {0: 'background', 5: 'bottle', 9: 'chair', 11: 'diningtable', 15: 'person', 20: 'tvmonitor'}
PART_NAME = {1: 'head', 2: 'torso', 3: 'luarm', 4: 'rlarm', 5: 'ruleg', 6: 'llleg'}   # one PASCAL-Part name per class

def crop(o, hw):
    "Centre-crop every (H, W, ...) array of a render to hw."
    H, W = o['image'].shape[:2]; h, w = hw; t, l = (H - h) // 2, (W - w) // 2
    return {k: v[t:t + h, l:l + w] for k, v in o.items() if isinstance(v, np.ndarray) and v.ndim >= 2}

def enc_normals(n): return np.round((n + 1) * 127.5).clip(0, 255).astype(np.uint8)

def nyud(out:Path, ids=(('train', 'nyud_0001'), ('train', 'nyud_0002'), ('val', 'nyud_0003'))):
    for d in ('images', 'segmentation', 'depth', 'normals', 'edge', 'gt_sets'): (out / d).mkdir(parents=True)
    for i, (split, id_) in enumerate(ids):
        o = crop(render_scene(SEED, i, (448, 576), noise=0.0), (425, 560))
        Image.fromarray(o['image']).save(out / 'images' / f'{id_}.png', optimize=True)
        seg = o['semseg'].astype(np.uint8) + 1; seg[:6] = 0; seg[-6:] = 0; seg[:, :6] = 0; seg[:, -6:] = 0   # void border, as NYUD's
        Image.fromarray(seg).save(out / 'segmentation' / f'{id_}.png', optimize=True)
        d = o['depth'].astype(np.float32).copy(); d[:4, :4] = 0                  # a few invalid pixels
        np.save(out / 'depth' / f'{id_}.npy', d)
        Image.fromarray(enc_normals(o['normals'])).save(out / 'normals' / f'{id_}.png', optimize=True)
        Image.fromarray((o['edge'] > 0).astype(np.uint8) * 255).save(out / 'edge' / f'{id_}.png', optimize=True)
    for split in ('train', 'val'):
        (out / 'gt_sets' / f'{split}.txt').write_text(''.join(f'{i}\n' for s, i in ids if s == split))

def pascal(out:Path, ids=(('train', '2008_000001'), ('train', '2008_000002'), ('train', '2008_000003'),
                          ('val', '2008_000004'), ('val', '2008_000005'))):
    for d in ('JPEGImages', 'ImageSets/Context', 'semseg/VOC12', 'semseg/pascal-context', 'human_parts', 'normals_distill',
              'sal_distill', 'pascal-context/trainval'): (out / d).mkdir(parents=True)
    lut = np.array([TO_VOC[c] for c in SYNTH_CLASSES], np.uint8)
    index = 0
    for i, (split, id_) in enumerate(ids):
        want_person = id_ != '2008_000005'                    # the last val image has no person: all-ignore parts
        while True:                                           # deterministic search for a render that fits
            o = crop(render_scene(SEED + 1, index, (384, 512), n_people=(1, 2) if want_person else (0, 0), noise=0.01,
                                  extras=True), (375, 500))
            index += 1
            hp = o['human_parts']
            if not want_person or (hp != 255).any() and (np.isin(hp, range(1, 7)).sum() > 0.01 * hp.size and
                                                         len(np.unique(hp[hp < 255])) == 7): break
        Image.fromarray(o['image']).save(out / 'JPEGImages' / f'{id_}.jpg', quality=85)
        sem = lut[o['semseg']]
        Image.fromarray(sem).save(out / 'semseg' / ('VOC12' if i == 0 else 'pascal-context') / f'{id_}.png', optimize=True)
        objects, inst = [], o['instance']
        for k in np.unique(inst):
            m = inst == k; voc = int(np.bincount(sem[m]).argmax())
            if voc == 0: continue
            parts = []
            if voc == 15:
                parts = [(PART_NAME[c], (m & (o['human_parts'] == c)).astype(np.uint8)) for c in range(1, 7) if (m & (o['human_parts'] == c)).any()]
            objects.append((VOC[voc], m.astype(np.uint8), parts))
        write_parts_mat(out / 'human_parts' / f'{id_}.mat', objects, id_)
        Image.fromarray(enc_normals(o['normals'])).save(out / 'normals_distill' / f'{id_}.png', optimize=True)
        Image.fromarray(o['sal'].astype(np.uint8) * 255).save(out / 'sal_distill' / f'{id_}.png', optimize=True)
        import scipy.io
        scipy.io.savemat(str(out / 'pascal-context' / 'trainval' / f'{id_}.mat'),
                         {'LabelMap': (o['semseg'].astype(np.uint16) + 1)}, do_compression=True)
    for split in ('train', 'val'):
        (out / 'ImageSets' / 'Context' / f'{split}.txt').write_text(''.join(f'{i}\n' for s, i in ids if s == split))

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', default=str(Path(__file__).resolve().parent.parent / 'data_samples'))
    out = Path(ap.parse_args().out)
    for name, fn in (('nyud', nyud), ('pascal', pascal)):
        if (out / name).exists(): shutil.rmtree(out / name)
        fn(out / name)
    total = sum(f.stat().st_size for f in out.rglob('*') if f.is_file())
    print(f'wrote {out} ({total / 1024:.0f} KB)')
