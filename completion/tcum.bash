# bash completion for tcum(1)                              -*- shell-script -*-
# Installed as share/bash-completion/completions/tcum; or source it directly.

_tcum()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion -n =: || return
    else
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD-1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi

    local ops="cumsum cumprod cummax cummin logcumsumexp cumulative_trapezoid
        diff nancumsum nancumprod sum prod mean amax amin logsumexp max min
        nansum nanmean nanmax nanmin nanprod show assert-close"
    local dtypes="bool uint8 int8 int16 int32 int64 float16 bfloat16 float32
        float64 complex64 complex128 uint16 uint32 uint64 half float double short
        int long cfloat cdouble"
    local opts="--dim --dtype --input-dtype --default-dtype --reverse
        --exclusive --include-initial --keepdim --dx --grad --grad-output
        --format --output --select --input-format --delimiter --header
        --no-header --shape --precision --threshold --edgeitems --linewidth
        --sci-mode --profile --help --axis --columns --exclude-columns --na
        --skip-rows --comment --output-delimiter --live --threads --torch-version"
    [[ ${words[1]} == show ]] && opts="$opts --list"
    local close_opts="--rtol --atol --equal-nan --check-dtype --input-dtype
        --default-dtype --input-format --delimiter --header --no-header
        --shape --format --output --torch-version --help"

    if [[ $cword -eq 1 ]]; then
        COMPREPLY=($(compgen -W "$ops --help --version" -- "$cur"))
        return
    fi

    # --opt=value: complete the value part
    local opt=$prev
    if [[ $prev == = && $cword -ge 3 ]]; then
        opt=${words[cword-2]}       # bash split --opt=value at the '='
    elif [[ $cur == = ]]; then
        opt=$prev
        cur=
    elif [[ $cur == --*=* ]]; then
        opt=${cur%%=*}
        cur=${cur#*=}
    fi

    case $opt in
    --dtype|--input-dtype)
        COMPREPLY=($(compgen -W "$dtypes" -- "$cur")); return ;;
    --default-dtype)
        COMPREPLY=($(compgen -W "float32 float64" -- "$cur")); return ;;
    --torch-version)
        COMPREPLY=($(compgen -W "2.6 1.13" -- "$cur")); return ;;
    -f|--format)
        COMPREPLY=($(compgen -W "torch csv json npy" -- "$cur")); return ;;
    --input-format)
        COMPREPLY=($(compgen -W "csv json npy npz torch" -- "$cur")); return ;;
    --select)
        COMPREPLY=($(compgen -W "values indices" -- "$cur")); return ;;
    --sci-mode)
        COMPREPLY=($(compgen -W "auto on off" -- "$cur")); return ;;
    --profile)
        COMPREPLY=($(compgen -W "default short full" -- "$cur")); return ;;
    --threshold)
        COMPREPLY=($(compgen -W "inf" -- "$cur")); return ;;
    --delimiter|--output-delimiter)
        COMPREPLY=($(compgen -W "tab whitespace , ; |" -- "$cur")); return ;;
    -o|--output|--grad-output|--prepend|--append|--x)
        COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null; return ;;
    -d|--dim|--axis|-n|--dx|--shape|--precision|--edgeitems|--linewidth|--rtol|--atol|-c|--columns|--exclude-columns|--na|--skip-rows|--comment)
        return ;;
    esac

    if [[ $cur == -* ]]; then
        local o=$opts
        [[ ${words[1]} == assert-close ]] && o=$close_opts
        [[ ${words[1]} == diff ]] && o="$o -n --prepend --append"
        [[ ${words[1]} == cumulative_trapezoid ]] && o="$o --x"
        COMPREPLY=($(compgen -W "$o" -- "$cur"))
        return
    fi
    # FILE.npz:NAME: the archive's array names, as tcum lists them (with
    # bash-completion, which keeps the ':' in the word and trims it after)
    if [[ $cur == *.npz:* && -f ${cur%:*} ]] && declare -F __ltrim_colon_completions >/dev/null 2>&1; then
        local names
        names=$(command tcum show "${cur%:*}" --list 2>/dev/null | cut -f1)
        COMPREPLY=($(compgen -P "${cur%:*}:" -W "$names" -- "${cur##*:}"))
        __ltrim_colon_completions "$cur"
        return
    fi
    COMPREPLY=($(compgen -f -- "$cur"))
    compopt -o filenames 2>/dev/null
}
complete -F _tcum tcum
