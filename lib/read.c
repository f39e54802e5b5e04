/*
 * read.c - read options, format detection (binary data told apart from
 * text) and dispatch to the readers: tc_read, tc_read_table and the
 * per-format entry points, above read_csv.c, read_json.c, read_npy.c ...
 */
#include "tc_private.h"

#include <string.h>

void tc_read_opts_init(tc_read_opts *o)
{
    memset(o, 0, sizeof *o);
    o->format = TC_FMT_AUTO;
    o->delimiter = 0;
    o->comment = '#';
    o->header = -1;
    o->has_input_dtype = 0;
    o->input_dtype = TC_FLOAT32;
    o->default_dtype = TC_FLOAT32;
}

static bool starts_with(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && memcmp(s, prefix, k) == 0;
}

/* How much of the input tells text from binary data (git looks at as much). */
#define TEXT_PROBE 8000

/* The length of the UTF-8 sequence at p[0..n) (1 to 4; a cut one counts whole), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    size_t len = p[0] < 0x80 ? 1 : p[0] < 0xc2 ? 0 : p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : p[0] < 0xf5 ? 4 : 0;
    for (size_t k = 1; k < len && k < n; k++)
        if ((p[k] & 0xc0) != 0x80)
            return 0;
    return TC_MIN(len, n);
}

/*
 * The offset of the byte that makes the start of data binary, or n if it
 * is text: Perl's -B test, made safe for 8-bit text.  A NUL byte is
 * binary; else the data is binary when it holds a control character that
 * text does not hold (all but \a \b \t \n \v \f \r, ESC and DOS's ^Z;
 * and DEL) and more than a third of its bytes are odd: such control
 * characters, and bytes that are not UTF-8.  So Latin-1 or any 8-bit
 * text, which has no such control characters, is text however many of its
 * bytes are not UTF-8, and one stray control character in text is left to
 * the reader, which says where it is.  The offset is the first odd byte.
 */
static size_t binary_at(const char *data, size_t n)
{
    const unsigned char *u = (const unsigned char *)data;
    size_t m = TC_MIN(n, TEXT_PROBE), odd = 0, first = n;
    bool control = false;
    const char *nul = memchr(data, '\0', m);
    if (nul)
        return (size_t)(nul - data);
    for (size_t i = 0; i < m;) {
        unsigned char c = u[i];
        size_t len = c < 0x80 ? 1 : utf8_len(u + i, m - i);
        bool ctl = (c < 0x20 && !(c >= 0x07 && c <= 0x0d) && c != 0x1a && c != 0x1b) || c == 0x7f;
        if (ctl || len == 0) {
            control |= ctl;
            if (!odd++)
                first = i;
            len = 1;
        }
        i += len;
    }
    return control && odd * 3 > m ? first : n;
}

tc_format tc_detect_format(const char *data, size_t n)
{
    /* A proper prefix of the magic is a truncated npy, not a CSV header. */
    if (starts_with(data, n, "\x93NUMPY") || (n > 0 && n < 6 && !memcmp(data, "\x93NUMPY", n)))
        return TC_FMT_NPY;
    /* A zip: a local file header, or the end record alone (an empty archive). */
    if (starts_with(data, n, "PK\x03\x04") || starts_with(data, n, "PK\x05\x06"))
        return TC_FMT_NPZ;
    size_t i = tc_bom_len(data, n);
    while (i < n && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i < n && (data[i] == '[' || data[i] == '{'))
        return TC_FMT_JSON;
    if (starts_with(data + i, n - i, "tensor(") ||
        starts_with(data + i, n - i, "torch.return_types."))
        return TC_FMT_TORCH;
    return binary_at(data, n) < n ? TC_FMT_BINARY : TC_FMT_CSV;
}

/* The refusal of data that is none of the formats. */
static int refuse_binary(const char *data, size_t n, tc_err *err)
{
    size_t at = binary_at(data, n);
    if (n >= 2 && ((data[0] == '\xff' && data[1] == '\xfe') || (data[0] == '\xfe' && data[1] == '\xff')))
        return tc_err_set(err, TC_EINPUT, "UTF-16 text, not UTF-8 (binary data at byte %zu: "
                          "convert it with iconv -f UTF-16 -t UTF-8)", at);
    return tc_err_set(err, TC_EINPUT, "not CSV, JSON, npy or a PyTorch repr (binary data at byte %zu)",
                      at < n ? at : 0);
}

int tc_read_table(const char *data, size_t n, const tc_read_opts *o, tc_tensor **out,
                  tc_table **table, tc_err *err)
{
    *out = NULL;
    if (table)
        *table = NULL;
    int vrc = tc_read_opts_check(o, err);   /* an input_dtype the PyTorch version lacks */
    if (vrc)
        return vrc;
    tc_format f = o->format == TC_FMT_AUTO ? tc_detect_format(data, n) : o->format;
    if (f == TC_FMT_NPY || f == TC_FMT_TORCH) {
        tc_read_opts po = *o;
        po.format = f;
        return tc_read(data, n, &po, out, err);
    }
    return tc_read_text_table(data, n, o, f, out, table, err);
}

int tc_read_csv(const char *data, size_t n, const tc_read_opts *o, tc_tensor **out, tc_err *err)
{
    tc_read_opts co = *o;
    co.format = TC_FMT_CSV;
    return tc_read_table(data, n, &co, out, NULL, err);
}

int tc_read_json(const char *data, size_t n, const tc_read_opts *o,
                 tc_tensor **out, tc_err *err)
{
    /* the table forms go through the table layer, the rest to read_json.c */
    tc_read_opts jo = *o;
    jo.format = TC_FMT_JSON;
    return tc_read_table(data, n, &jo, out, NULL, err);
}

int tc_read(const char *data, size_t n, const tc_read_opts *o, tc_tensor **out, tc_err *err)
{
    *out = NULL;
    int rc = tc_read_opts_check(o, err);
    if (rc)
        return rc;
    tc_format f = o->format == TC_FMT_AUTO ? tc_detect_format(data, n) : o->format;
    switch (f) {
    case TC_FMT_JSON: rc = tc_read_json(data, n, o, out, err); break;
    case TC_FMT_NPY: rc = tc_read_npy(data, n, o, out, err); break;
    case TC_FMT_TORCH: rc = tc_read_torch(data, n, o, out, err); break;
    case TC_FMT_NPZ: rc = tc_read_npz(data, n, o, out, err); break;
    case TC_FMT_BINARY: rc = refuse_binary(data, n, err); break;
    default: rc = tc_read_csv(data, n, o, out, err); break;
    }
    /* a dtype named in the input itself (JSON's "dtype", a repr's dtype=) */
    if (rc == TC_OK && *out && (rc = tc_dtype_check_version((*out)->dtype, o->torch_version, err))) {
        tc_tensor_free(*out);
        *out = NULL;
    }
    return rc;
}
