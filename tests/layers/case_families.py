"""Every layer case table, by family: each family has its own Keras reference file in compat.

`FAMILIES[name]` lists the cases whose Keras values live in `compat/references/<name>.npz`
(the first table, `cases.py`, is the family `layers`).
"""

import attention_cases
import cases
import conv_lstm_cases
import conv_transpose_separable_cases
import masking_cases
import misc_cases
import preprocessing_image_cases
import preprocessing_text_cases
import recurrent_cases

FAMILIES = {
    "layers": cases.CASES,
    "layers_conv_transpose_separable": conv_transpose_separable_cases.CASES,
    "layers_recurrent": recurrent_cases.CASES,
    "layers_attention": attention_cases.CASES,
    "layers_masking": masking_cases.CASES,
    "layers_preprocessing_image": preprocessing_image_cases.CASES,
    "layers_preprocessing_text": preprocessing_text_cases.CASES,
    "layers_conv_lstm": conv_lstm_cases.CASES,
    "layers_misc": misc_cases.CASES,
}
ALL_CASES = [case for family in FAMILIES.values() for case in family]
