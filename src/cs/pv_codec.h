/* SPDX-License-Identifier: MIT */
#ifndef PV_CODEC_H
#define PV_CODEC_H

/* Everything the generated codecs call. */
#include "cs/pv_chain.h"
#include "cs/pv_decoder.h"
#include "cs/pv_encoder.h"
#include "object/pv_object.h"

#endif /* PV_CODEC_H */
