//! Every text of the terminal UI, in English and Chinese, in one table.
//!
//! Fixed texts are the variants of [`S`], each with both forms in one `match`, so a text
//! cannot exist in one language only. Texts with numbers or names in them are the functions
//! below, each also written once for both languages. Messages are kept as [`Text`] (both
//! forms), so pressing `L` switches a message already on screen too.

use crate::ballot_state::Dispute;
use crate::config::Config;
use crate::decimal::Ratio;
use crate::error::Text;
use crate::import::ImportReport;
use crate::lang::{count_en, Lang};
use crate::model::{InvalidReason, Scale};
use crate::scoring::{RateBase, Scoring, Weighting};
use std::path::Path;
use std::time::Duration;

/// A fixed text of the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum S {
    TabEntry,
    TabVerify,
    TabBallots,
    TabTally,
    TabRanking,
    TabFiles,
    LanguageName,
    DemoNotice,
    Final,
    Everywhere,
    PromptTitle,
    ConfirmTitle,
    YesNo,
    // Column and field names.
    Id,
    Organization,
    Mark,
    Serial,
    Group,
    Form,
    Ballot,
    Validity,
    Source,
    VerifiedColumn,
    Valid,
    Invalid,
    Blank,
    BlankShort,
    BlankOrSpoiled,
    Spoiled,
    Score,
    /// The composite of `[[composite]]`, a column's or a figure's name.
    Composite,
    ApprovalRate,
    Rank,
    Tier,
    NoTier,
    Note,
    SecondEntryTitle,
    NextUnverified,
    UnverifiedList,
    DisputedList,
    InvalidList,
    Suggested,
    SerialTakenShort,
    TieAtCutoffLegend,
    Import,
    ImportPath,
    MapPath,
    MapNone,
    Export,
    ResultsFile,
    BallotsFile,
    WorkbookFile,
    TallySheetFile,
    DigestsFile,
    NoBallots,
    // Hints in the panels.
    HintSerial,
    HintRows,
    HintFillPending,
    HintComplete,
    HintVerifySerial,
    HintVerifyRows,
    HintDisputed,
    HintFurtherReading,
    HintEditing,
    HintImport,
    // Questions.
    AskIssued,
    AskReopenReason,
    AskSerial,
    AskQuit,
    AskDiscard,
    AskFinalise,
    AskImport,
    AskExportVoid,
    AskClerk,
    // Messages.
    SerialNeeded,
    NumberNeeded,
    ReasonNeeded,
    PathNeeded,
    NoGroups,
    GroupNeeded,
    NothingToUndo,
    NothingChanged,
    FinalisedRefused,
    BusyImporting,
    InterruptAgain,
    InterruptImporting,
    ImportCancelled,
    AskQuitImporting,
    AlreadyFinal,
    NotFinal,
    NowFinal,
    WithdrawnKept,
    SetAsideKept,
    FormComplete,
    HelpTallyGroup,
    AllGroups,
    ProjectorProvisional,
    ProjectorFinal,
    ProjectorVoid,
    ProjectorUndecided,
    ProjectorUndecidedShort,
    HelpProjector,
    HelpInSerialField,
    HelpInFormRows,
    HelpInDisputedForm,
    HelpInList,
    HelpInBallotOpened,
    HelpInBallotEdit,
    HelpInHistory,
    HelpInAuditLog,
    HelpInPathField,
    HelpOutsidePathField,
    HelpRevealSection,
    HelpRevealOne,
    HelpHideLast,
    HelpToggleFigures,
    HelpToggleLight,
    HelpCloseProjector,
    ReloadedFromElsewhere,
    Reopened,
    SelectOnlyUndecided,
    DecideOnlyUndecided,
    NoCompletion,
    ReasonUndo,
    // Help texts of the key table (short: the overlay has two columns at 80x24).
    HelpInterrupt,
    HelpGoTab,
    HelpNextTab,
    HelpPrevTab,
    HelpHelp,
    HelpLang,
    HelpIssued,
    HelpQuit,
    HelpSerialDigits,
    HelpSerialErase,
    HelpSerialAccept,
    HelpGroup,
    HelpUndo,
    HelpOptionNumber,
    HelpOptionKey,
    HelpBlank,
    HelpSpoiled,
    HelpFill,
    HelpStepBack,
    HelpUpDown,
    HelpPage,
    HelpHomeEnd,
    HelpSave,
    HelpToSerial,
    HelpVerifySerial,
    HelpVerifyStart,
    HelpCompare,
    HelpAbandon,
    HelpReadAgain,
    HelpLeaveDispute,
    HelpSearch,
    HelpOpen,
    HelpEdit,
    HelpSetAside,
    HelpWithdraw,
    HelpHistory,
    HelpAuditLog,
    HelpFilterAction,
    HelpFilterSerial,
    HelpRecheck,
    HelpClose,
    HelpSaveEdit,
    HelpSelect,
    HelpDecide,
    HelpUndecide,
    HelpFinalise,
    HelpReopen,
    HelpComplete,
    HelpPreview,
    HelpPathErase,
    HelpLeaveField,
    HelpPathType,
    HelpFocusPath,
    HelpFocusMap,
    HelpImportConfirm,
    HelpCancelImport,
    HelpExportResults,
    HelpExportBallots,
    HelpExportWorkbook,
    HelpExportTallySheet,
    HelpPromptAccept,
    HelpCancel,
    HelpPromptType,
    HelpYes,
    HelpNo,
    HelpCloseHelp,
}

impl S {
    /// Both forms: (English, Chinese).
    fn forms(self) -> (&'static str, &'static str) {
        match self {
            S::TabEntry => ("Entry", "录入"),
            S::TabVerify => ("Verify", "核对"),
            S::TabBallots => ("Ballots", "评议表"),
            S::TabTally => ("Tally", "统计"),
            S::TabRanking => ("Ranking", "排名"),
            S::TabFiles => ("Import/Export", "导入/导出"),
            S::LanguageName => ("EN", "中文"),
            S::DemoNotice => ("[DEMO COPY]", "【演示副本】"),
            S::Final => ("FINAL", "已定稿"),
            S::Everywhere => ("Every tab", "所有页面"),
            S::PromptTitle => ("Input", "输入"),
            S::ConfirmTitle => ("Confirm", "确认"),
            S::YesNo => ("y = yes   n = no", "y = 是   n = 否"),
            S::Id => ("ID", "编号"),
            S::Organization => ("Organization", "组织"),
            S::Mark => ("Mark", "评价"),
            S::Serial => ("Serial", "表号"),
            S::Group => ("Group", "组别"),
            S::Form => ("Form", "表格"),
            S::Ballot => ("Ballot", "评议表"),
            S::Validity => ("Validity", "有效性"),
            S::Source => ("Source", "来源"),
            S::VerifiedColumn => ("Verified", "已核对"),
            S::Valid => ("valid", "有效"),
            S::Invalid => ("INVALID", "无效"),
            S::Blank => ("blank", "空白"),
            S::BlankShort => ("Blank", "空白"),
            S::BlankOrSpoiled => ("blank or spoiled", "空白或无效标记"),
            S::Spoiled => ("spoiled", "无效标记"),
            S::Score => ("Score", "得分"),
            S::Composite => ("Comp.", "综合"),
            S::ApprovalRate => ("Appr.", "认可率"),
            S::Rank => ("Rank", "名次"),
            S::Tier => ("Tier", "等次"),
            S::NoTier => ("none", "无等次"),
            S::Note => ("Note", "备注"),
            S::SecondEntryTitle => ("Second keying", "二次录入"),
            S::NextUnverified => ("(next unverified)", "（下一张待核对）"),
            S::UnverifiedList => ("unverified", "待核对"),
            S::DisputedList => ("disputed", "有争议"),
            S::InvalidList => ("invalid", "无效"),
            S::Suggested => ("(next free)", "（下一个）"),
            S::SerialTakenShort => ("already entered", "该表号已录入"),
            S::TieAtCutoffLegend => ("■ tie at cutoff: d decides", "■ 名额线并列：按 d 裁定"),
            S::Import => ("Import", "导入"),
            S::ImportPath => ("File", "文件"),
            S::MapPath => ("Map", "映射"),
            S::MapNone => (
                "(m: a map file; none: one is proposed when the file does not match)",
                "（m：映射文件；不填时，文件不匹配则自动提议）",
            ),
            S::Export => ("Export (into the meeting folder)", "导出（到会议文件夹）"),
            S::ResultsFile => ("results CSV", "结果 CSV"),
            S::BallotsFile => ("ballots CSV", "评议表 CSV"),
            S::WorkbookFile => ("results workbook", "结果工作簿"),
            S::TallySheetFile => ("tally sheet", "测评结果统计表"),
            S::DigestsFile => ("results digests (sha256sum -c)", "结果摘要（sha256sum -c）"),
            S::NoBallots => ("No ballots yet.", "尚无评议表。"),
            S::HintSerial => (
                "Type the serial on the form, Enter to start.",
                "输入表格上的编号，回车开始录入。",
            ),
            S::HintRows => (
                "One key per organization. f + key fills the rest.",
                "每个组织按一个键。f 加选项键填满其余行。",
            ),
            S::HintFillPending => (
                "Fill: press the option for all remaining rows.",
                "填充：按选项键填满其余各行。",
            ),
            S::HintComplete => ("Complete. Enter saves.", "已填完。回车保存。"),
            S::HintVerifySerial => (
                "Type the serial of a form to key it again.",
                "输入要再次录入的表格编号。",
            ),
            S::HintVerifyRows => (
                "Key the form again, its group too (g); the first keying stays hidden.",
                "请再次录入，组别也要录入（g）；第一次录入的内容不显示。",
            ),
            S::HintDisputed => (
                "Take the paper form and press t: key the differing rows again, neither reading is shown. Esc leaves the dispute stored.",
                "请拿出纸质表格后按 t：重新录入不一致的行，不显示此前任何一次录入。Esc 离开，争议保留。",
            ),
            S::HintFurtherReading => (
                "Key these rows from the paper; two readings of three decide each.",
                "请对照纸质表格录入这些行；三次录入中两次一致即定。",
            ),
            S::HintEditing => ("Editing: Enter asks a reason.", "修改中：回车后填写原因。"),
            S::HintImport => (
                "p: type the path of a ballots CSV (Tab completes), Enter previews it.",
                "p：输入评议表 CSV 的路径（Tab 补全），回车预览。",
            ),
            S::AskIssued => ("Forms handed out:", "发出表格份数："),
            S::AskReopenReason => (
                "Why is the meeting reopened? (kept in the audit log)",
                "重新开放的原因？（记入审计日志）",
            ),
            S::AskSerial => ("Find serial:", "查找表号："),
            S::AskDiscard => (
                "The rows typed on this form are not saved. Discard them?",
                "本表已录入的内容尚未保存。确定放弃吗？",
            ),
            S::AskQuit => (
                "A form is half-typed and not saved. Quit anyway?",
                "有表格尚未录完且未保存。仍要退出吗？",
            ),
            S::AskFinalise => (
                "Finalise the meeting? Every change is refused until it is reopened.",
                "定稿本次会议？定稿后在重新开放前拒绝一切修改。",
            ),
            S::AskImport => (
                "Import this file into the meeting?",
                "将此文件导入本次会议？",
            ),
            S::AskExportVoid => (
                "The round is void. Export anyway? The file will say VOID ROUND.",
                "本轮无效。仍要导出吗？文件将标注 VOID ROUND。",
            ),
            S::AskClerk => (
                "Your name as clerk, kept with each keying in the audit log (Enter: none):",
                "录入员姓名，随每次录入记入审计日志（回车：不填）：",
            ),
            S::SerialNeeded => ("type a serial number first", "请先输入表号"),
            S::NumberNeeded => ("type a number", "请输入数字"),
            S::ReasonNeeded => ("a reason is required", "必须说明原因"),
            S::PathNeeded => ("type the path of a file", "请输入文件路径"),
            S::NoGroups => ("the meeting has no voter groups", "本次会议未设投票人组别"),
            S::NothingToUndo => (
                "nothing typed here to undo (imported forms are withdrawn from the Ballots tab)",
                "本机本次没有可撤销的录入（导入的表格请在评议表页撤回）",
            ),
            S::GroupNeeded => (
                "key the voter group first (g)",
                "请先录入投票人组别（g）",
            ),
            S::NothingChanged => ("nothing changed", "没有修改"),
            S::FinalisedRefused => (
                "the meeting is finalised: changes are refused (reopen with R on the Ranking tab)",
                "会议已定稿：拒绝修改（在排名页按 R 重新开放）",
            ),
            S::BusyImporting => (
                "an import is running: wait for it, or cancel it with Esc on the Import/Export tab",
                "正在导入：请等待完成，或在导入/导出页按 Esc 取消",
            ),
            S::InterruptImporting => (
                "an import is running: press Ctrl-C again to cancel it and quit (nothing of it is stored)",
                "正在导入：再按一次 Ctrl-C 将取消导入并退出（该文件不会导入任何内容）",
            ),
            S::ImportCancelled => (
                "import cancelled: nothing of the file was imported",
                "已取消导入：该文件未导入任何内容",
            ),
            S::AskQuitImporting => (
                "An import is running. Quit and cancel it (nothing of the file is stored)?",
                "正在导入。退出并取消导入吗（该文件不会导入任何内容）？",
            ),
            S::HelpCancelImport => ("cancel the running import", "取消正在进行的导入"),
            S::InterruptAgain => (
                "a form is half-typed: press Ctrl-C again to quit without saving it",
                "有表格尚未录完：再按一次 Ctrl-C 将不保存退出",
            ),
            S::AlreadyFinal => ("the meeting is already finalised", "会议已经定稿"),
            S::NotFinal => ("the meeting is not finalised", "会议尚未定稿"),
            S::ReloadedFromElsewhere => (
                "the meeting was changed elsewhere (another window or command): figures reloaded",
                "会议已在别处（其他窗口或命令）修改：数据已重新读取",
            ),
            S::ProjectorProvisional => ("PROVISIONAL — not final", "未定稿 · 结果尚未最终确定"),
            S::ProjectorFinal => ("FINAL RESULTS", "最终结果（已定稿）"),
            S::ProjectorVoid => (
                "VOID ROUND — more forms collected than issued: re-vote",
                "本轮无效 · 收回多于发出，应重新投票",
            ),
            S::ProjectorUndecided => ("tie at the cutoff, to be decided", "名额线并列，待裁定"),
            S::ProjectorUndecidedShort => ("to be decided", "待裁定"),
            S::HelpProjector => (
                "projector view (announce the results)",
                "投影视图（公布结果）",
            ),
            S::HelpInSerialField => ("In the serial field", "输入编号时"),
            S::HelpInFormRows => ("In the form's rows", "填写各行时"),
            S::HelpInDisputedForm => ("A disputed form", "有争议的评议表"),
            S::HelpInList => ("In the list", "列表中"),
            S::HelpInBallotOpened => ("A ballot opened", "打开一张评议表时"),
            S::HelpInBallotEdit => ("Editing a ballot", "修改评议表时"),
            S::HelpInHistory => ("In a ballot's history", "修改记录中"),
            S::HelpInAuditLog => ("In the audit log", "审计日志中"),
            S::HelpInPathField => ("In the path fields", "输入路径时"),
            S::HelpOutsidePathField => ("Outside the fields", "输入框之外"),
            S::HelpRevealSection => ("show the next tier", "显示下一等次"),
            S::HelpRevealOne => ("show the next organization", "显示下一个组织"),
            S::HelpHideLast => ("hide what was shown last", "隐藏上一步显示的内容"),
            S::HelpToggleFigures => ("scores and counts on / off", "显示 / 隐藏得分和票数"),
            S::HelpToggleLight => ("black on white / white on black", "白底黑字 / 黑底白字"),
            S::HelpCloseProjector => ("back to the tabs", "返回各标签页"),
            S::HelpTallyGroup => ("all forms / one voter group", "全部 / 按投票人组别"),
            S::AllGroups => ("all forms, weighted", "全部评议表（加权）"),
            S::FormComplete => (
                "the form is complete: Enter saves it, Backspace or ↑ corrects a row",
                "表格已录完：Enter 保存，Backspace 或 ↑ 修改",
            ),
            S::WithdrawnKept => (
                "this keying was withdrawn: it is kept for the record and not changed",
                "该录入已撤回：仅留存备查，不能修改",
            ),
            S::SetAsideKept => (
                "this form was set aside as void: it is kept for the record and not changed",
                "该表已作废：仅留存备查，不能修改",
            ),
            S::NowFinal => (
                "meeting finalised: changes are refused until it is reopened",
                "会议已定稿：重新开放前拒绝一切修改",
            ),
            S::Reopened => ("meeting reopened", "会议已重新开放"),
            S::SelectOnlyUndecided => (
                "only organizations tied at a cutoff can be selected",
                "只能选择在名额线上并列的组织",
            ),
            S::DecideOnlyUndecided => (
                "move to an organization tied at a cutoff (highlighted) to decide",
                "请移到名额线上并列（高亮）的组织再裁定",
            ),
            S::NoCompletion => ("no file name matches", "没有匹配的文件名"),
            S::ReasonUndo => (
                "undone at entry: keying mistake",
                "录入时撤销：录入错误",
            ),
            S::HelpInterrupt => ("quit (asks once)", "退出（会先提醒）"),
            S::HelpGoTab => ("go to tab", "切换页面"),
            S::HelpNextTab => ("next tab", "下一页"),
            S::HelpPrevTab => ("previous tab", "上一页"),
            S::HelpHelp => ("help", "帮助"),
            S::HelpLang => ("中文 / English", "中文 / English"),
            S::HelpIssued => ("forms issued", "发出份数"),
            S::HelpQuit => ("quit", "退出"),
            S::HelpSerialDigits => ("type the serial", "输入表号"),
            S::HelpSerialErase => ("erase a digit", "删除一位"),
            S::HelpSerialAccept => ("start the form", "开始录入"),
            S::HelpGroup => ("voter group", "投票人组别"),
            S::HelpUndo => ("undo last typed here", "撤销本机上一张"),
            S::HelpOptionNumber => ("n-th option", "第 n 个选项"),
            S::HelpOptionKey => ("option by key", "按选项键"),
            S::HelpBlank => ("blank", "空白"),
            S::HelpSpoiled => ("spoiled (several ticks)", "无效标记（多勾）"),
            S::HelpFill => ("fill the rest", "填满其余行"),
            S::HelpStepBack => ("step back", "退回一行"),
            S::HelpUpDown => ("move", "移动"),
            S::HelpPage => ("page", "翻页"),
            S::HelpHomeEnd => ("first / last", "首行 / 末行"),
            S::HelpSave => ("save the form", "保存表格"),
            S::HelpToSerial => ("back to serial", "回到表号"),
            S::HelpVerifySerial => ("serial to verify", "要核对的表号"),
            S::HelpVerifyStart => ("key it again", "开始二次录入"),
            S::HelpCompare => ("compare", "比对"),
            S::HelpAbandon => ("abandon", "放弃"),
            S::HelpReadAgain => ("key the rows again", "重新录入不一致的行"),
            S::HelpLeaveDispute => ("leave (dispute kept)", "离开（争议保留）"),
            S::HelpSearch => ("find serial", "查找表号"),
            S::HelpOpen => ("open", "打开"),
            S::HelpEdit => ("edit", "修改"),
            S::HelpSetAside => ("set aside", "作废搁置"),
            S::HelpWithdraw => ("withdraw", "撤回"),
            S::HelpHistory => ("history", "修改记录"),
            S::HelpAuditLog => ("audit log", "审计日志"),
            S::HelpFilterAction => ("filter by action", "按操作筛选"),
            S::HelpFilterSerial => ("filter by serial", "按编号筛选"),
            S::HelpRecheck => ("check again", "重新检查"),
            S::HelpClose => ("close", "关闭"),
            S::HelpSaveEdit => ("save (asks reason)", "保存（需填原因）"),
            S::HelpSelect => ("select for decision", "选入裁定"),
            S::HelpDecide => ("decide tie at cutoff", "裁定名额线并列"),
            S::HelpUndecide => ("withdraw the decision of this tier", "撤销本等次的裁定"),
            S::HelpFinalise => ("finalise", "定稿"),
            S::HelpReopen => ("reopen", "重新开放"),
            S::HelpComplete => ("complete name", "补全文件名"),
            S::HelpPreview => ("preview (dry run)", "预览（试运行）"),
            S::HelpPathErase => ("erase", "删除"),
            S::HelpLeaveField => ("leave the field", "离开输入框"),
            S::HelpPathType => ("type the path", "输入路径"),
            S::HelpFocusPath => ("type a path", "输入路径"),
            S::HelpFocusMap => ("type a map file's path", "输入映射文件路径"),
            S::HelpImportConfirm => ("import previewed", "导入已预览文件"),
            S::HelpExportResults => ("export results", "导出结果"),
            S::HelpExportBallots => ("export ballots", "导出评议表"),
            S::HelpExportWorkbook => ("export results workbook (.xlsx)", "导出结果工作簿（.xlsx）"),
            S::HelpExportTallySheet => ("print the tally sheet (results.pdf)", "打印测评结果统计表（results.pdf）"),
            S::HelpPromptAccept => ("accept", "确定"),
            S::HelpCancel => ("cancel", "取消"),
            S::HelpPromptType => ("type", "输入"),
            S::HelpYes => ("yes", "是"),
            S::HelpNo => ("no", "否"),
            S::HelpCloseHelp => ("close help", "关闭帮助"),
        }
    }

    /// The text in `lang`.
    pub fn get(self, lang: Lang) -> &'static str {
        let (en, zh) = self.forms();
        lang.pick(en, zh)
    }

    /// Both forms, for a message.
    pub fn text(self) -> Text {
        let (en, zh) = self.forms();
        Text::new(en, zh)
    }
}

/// `text` cut to at most `width` terminal cells, ending in `…` when it was cut (a wide
/// character counts two cells and is never split).
pub fn shorten(text: &str, width: usize) -> String {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    if text.width() <= width {
        return text.to_string();
    }
    let Some(room) = width.checked_sub(1) else {
        return String::new();
    };
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// The status bar's counts, short: valid of total.
pub fn status_counts_short(lang: Lang, valid: u64, total: u64) -> String {
    match lang {
        Lang::En => format!("valid {valid}/{total}"),
        Lang::Zh => format!("有效 {valid}/{total}"),
    }
}

/// The status bar's forms collected of issued, short.
pub fn status_collected_short(lang: Lang, collected: u64, issued: Option<u64>) -> String {
    let issued = issued.map_or_else(|| "?".to_string(), |n| n.to_string());
    match lang {
        Lang::En => format!("forms {collected}/{issued}"),
        Lang::Zh => format!("收回 {collected}/{issued}"),
    }
}

/// The status bar's verification progress, short.
pub fn verified_short(lang: Lang, verified: u64, counted: u64, disputed: u64) -> String {
    match (lang, disputed) {
        (Lang::En, 0) => format!("✓{verified}/{counted}"),
        (Lang::En, _) => format!("✓{verified}/{counted} ≠{disputed}"),
        (Lang::Zh, 0) => format!("核 {verified}/{counted}"),
        (Lang::Zh, _) => format!("核 {verified}/{counted} 争 {disputed}"),
    }
}

/// A rate as a percentage with one decimal.
pub fn percent(rate: Ratio) -> String {
    format!("{:.1}%", rate.to_f64() * 100.0)
}

/// The colon after a label: `: ` in English, `：` in Chinese.
pub fn colon(lang: Lang) -> &'static str {
    lang.pick(": ", "：")
}

/// A label with its colon, ready for a value: `Serial: ` / `表号：`.
pub fn label(lang: Lang, text: S) -> String {
    format!("{}{}", text.get(lang), colon(lang))
}

fn both(f: impl Fn(Lang) -> String) -> Text {
    Text::new(f(Lang::En), f(Lang::Zh))
}

/// `A: 12 / 11 allowed — invalid`, `好：12 票 / 最多 11 票 — 无效`.
pub fn count_of_max(lang: Lang, label: &str, count: usize, max: usize) -> String {
    match (lang, count > max) {
        (Lang::En, false) => format!("{label}: {count} / {max} allowed"),
        (Lang::En, true) => format!("{label}: {count} / {max} allowed — invalid"),
        (Lang::Zh, false) => format!("{label}：{count} 票 / 最多 {max} 票"),
        (Lang::Zh, true) => format!("{label}：{count} 票 / 最多 {max} 票 — 无效"),
    }
}

/// How many rows are still to type.
pub fn rows_to_go(lang: Lang, rows: usize) -> String {
    match lang {
        Lang::En => format!("{} to go", count_en(rows, "row", "rows")),
        Lang::Zh => format!("还有 {rows} 行未录"),
    }
}

/// [`rows_to_go`] as a message.
pub fn rows_to_go_text(rows: usize) -> Text {
    both(|lang| match lang {
        Lang::En => format!(
            "{} to go: type 0 for a blank row",
            count_en(rows, "row", "rows")
        ),
        Lang::Zh => format!("还有 {rows} 行未录：空白行请按 0"),
    })
}

/// A serial already in the meeting.
pub fn serial_taken(serial: u64) -> Text {
    both(|lang| match lang {
        Lang::En => format!("serial {serial} is already entered: type another"),
        Lang::Zh => format!("表号 {serial} 已录入：请输入其他表号"),
    })
}

/// No ballot with this serial.
pub fn no_such_serial(serial: u64) -> Text {
    both(|lang| match lang {
        Lang::En => format!("no ballot with serial {serial}"),
        Lang::Zh => format!("没有表号为 {serial} 的评议表"),
    })
}

/// A form saved, valid or with the reason it is not.
pub fn saved(serial: u64, invalid: Option<&InvalidReason>, scale: &Scale) -> Text {
    both(|lang| match (lang, invalid) {
        (Lang::En, None) => format!("saved form {serial} (valid)"),
        (Lang::Zh, None) => format!("表格 {serial} 已保存（有效）"),
        (Lang::En, Some(reason)) => {
            format!(
                "saved form {serial}: INVALID, {}",
                reason.message(scale, lang)
            )
        }
        (Lang::Zh, Some(reason)) => {
            format!(
                "表格 {serial} 已保存：无效，{}",
                reason.message(scale, lang)
            )
        }
    })
}

/// A form typed here withdrawn by `u`.
pub fn undone(serial: u64) -> Text {
    both(|lang| match lang {
        Lang::En => format!("form {serial} withdrawn as a keying mistake (audited); type it again"),
        Lang::Zh => format!("表格 {serial} 已作为录入错误撤回（记入审计日志）；请重新录入"),
    })
}

/// A second keying of a form already verified.
pub fn already_verified(serial: u64) -> Text {
    both(|lang| match lang {
        Lang::En => format!("form {serial} is already verified"),
        Lang::Zh => format!("表格 {serial} 已核对"),
    })
}

/// A clerk about to verify a form they keyed themselves.
pub fn own_keying(serial: u64) -> Text {
    both(|lang| match lang {
        Lang::En => {
            format!("form {serial} was keyed by you: a second keying should be another clerk's")
        }
        Lang::Zh => format!("表格 {serial} 是您本人录入的：二次录入应由另一位录入员完成"),
    })
}

/// The clerk's name recorded.
pub fn clerk_named(clerk: &str) -> Text {
    both(|lang| match lang {
        Lang::En => format!("clerk {clerk}: kept with each keying"),
        Lang::Zh => format!("录入员 {clerk}：随每次录入记录"),
    })
}

/// Both keyings agree.
pub fn verified(serial: u64) -> Text {
    both(|lang| match lang {
        Lang::En => format!("form {serial} verified: both keyings agree"),
        Lang::Zh => format!("表格 {serial} 核对无误：两次录入一致"),
    })
}

/// A dispute settled by further readings.
pub fn resolved(serial: u64, changed: bool) -> Text {
    both(|lang| match (lang, changed) {
        (Lang::En, false) => format!("form {serial} resolved: the first keying stands"),
        (Lang::En, true) => format!("form {serial} resolved: corrected by the readings (audited)"),
        (Lang::Zh, false) => format!("表格 {serial} 争议已解决：第一次录入成立"),
        (Lang::Zh, true) => format!("表格 {serial} 争议已解决：按多数录入更正（记入审计日志）"),
    })
}

/// The readings of a form differ.
pub fn disputed(config: &Config, serial: u64, dispute: &Dispute) -> Text {
    both(|lang| match lang {
        Lang::En => format!(
            "form {serial} DISPUTED: {}; press t and key them again from the paper",
            crate::meeting::ballots::disputed_fields(config, dispute).get(lang)
        ),
        Lang::Zh => format!(
            "表格 {serial} 有争议：{}；请按 t 对照纸质表格重新录入",
            crate::meeting::ballots::disputed_fields(config, dispute).get(lang)
        ),
    })
}

/// `verified 54/80, disputed 2`.
pub fn verified_progress(lang: Lang, verified: u64, counted: u64, disputed: u64) -> String {
    match (lang, disputed) {
        (Lang::En, 0) => format!("verified {verified}/{counted}"),
        (Lang::En, _) => format!("verified {verified}/{counted}, disputed {disputed}"),
        (Lang::Zh, 0) => format!("已核对 {verified}/{counted}"),
        (Lang::Zh, _) => format!("已核对 {verified}/{counted}，有争议 {disputed}"),
    }
}

/// A ballot withdrawn as a keying mistake.
pub fn withdrawn(serial: u64) -> Text {
    both(|lang| match lang {
        Lang::En => format!("ballot {serial} withdrawn: not collected (audited)"),
        Lang::Zh => format!("评议表 {serial} 已撤回：不计入收回数（记入审计日志）"),
    })
}

/// A paper form set aside as void.
pub fn set_aside(serial: u64) -> Text {
    both(|lang| match lang {
        Lang::En => format!("ballot {serial} set aside: kept and collected, not counted (audited)"),
        Lang::Zh => format!("评议表 {serial} 已作废搁置：保留并计入收回数，不计票（记入审计日志）"),
    })
}

/// A ballot edited.
pub fn edited(serial: u64) -> Text {
    both(|lang| match lang {
        Lang::En => format!("ballot {serial} changed (old marks kept in its history)"),
        Lang::Zh => format!("评议表 {serial} 已修改（原内容保留在历史中）"),
    })
}

/// Asks why a paper form is set aside.
pub fn ask_set_aside_reason(lang: Lang, serial: u64) -> String {
    match lang {
        Lang::En => format!("Set ballot {serial} aside (the paper form is void): why?"),
        Lang::Zh => format!("作废搁置评议表 {serial}（纸质表格无效）：原因？"),
    }
}

/// Asks why a ballot is withdrawn.
pub fn ask_withdraw_reason(lang: Lang, serial: u64) -> String {
    match lang {
        Lang::En => format!("Withdraw ballot {serial} (a keying mistake, no paper): why?"),
        Lang::Zh => format!("撤回评议表 {serial}（录入错误，无纸质表格）：原因？"),
    }
}

/// Asks before `u` withdraws a form typed here.
pub fn ask_undo(lang: Lang, serial: u64) -> String {
    match lang {
        Lang::En => format!("Withdraw form {serial}, typed here, as a keying mistake?"),
        Lang::Zh => format!("将本机录入的表格 {serial} 作为录入错误撤回？"),
    }
}

/// The edit-reason question.
pub fn ask_edit_reason(lang: Lang, serial: u64) -> String {
    match lang {
        Lang::En => format!("Change ballot {serial}: why? (kept in the audit log)"),
        Lang::Zh => format!("修改评议表 {serial}：原因？（记入审计日志）"),
    }
}

/// Save with untyped rows blank?
pub fn ask_save_blank(lang: Lang, rows: usize) -> String {
    match lang {
        Lang::En if rows == 1 => "1 row is not typed. Save it as blank?".to_string(),
        Lang::En => format!("{rows} rows are not typed. Save them as blank?"),
        Lang::Zh => format!("有 {rows} 行未录入。按空白保存吗？"),
    }
}

/// Forms issued set.
pub fn issued_set(issued: u64) -> Text {
    both(|lang| match lang {
        Lang::En => format!("forms issued: {issued}"),
        Lang::Zh => format!("发出表格：{issued} 份"),
    })
}

/// The status bar's ballot counts.
pub fn status_counts(lang: Lang, valid: u64, invalid: u64, total: u64) -> String {
    match lang {
        Lang::En => format!("valid {valid} invalid {invalid} total {total}"),
        Lang::Zh => format!("有效 {valid} 无效 {invalid} 共 {total}"),
    }
}

/// The status bar's forms collected of issued, with the key that sets the number issued.
pub fn status_collected(lang: Lang, collected: u64, issued: Option<u64>) -> String {
    let issued = issued.map_or_else(|| "?".to_string(), |n| n.to_string());
    match lang {
        Lang::En => format!("forms {collected}/{issued} (i)"),
        Lang::Zh => format!("收回/发出 {collected}/{issued}（i）"),
    }
}

/// The status bar's stations of a meeting in a database seen in the last minute.
pub fn stations_seen(lang: Lang, stations: &[String]) -> String {
    match lang {
        Lang::En => format!("stations: {}", stations.join(", ")),
        Lang::Zh => format!("工作站：{}", stations.join("、")),
    }
}

/// The status bar while the meeting's database cannot be reached.
pub fn offline(lang: Lang) -> &'static str {
    lang.pick("OFFLINE: forms are kept as typed", "离线：已录入内容保留")
}

/// The question a station of a meeting in a database answers once, before the UI starts.
pub fn station_prompt(lang: Lang) -> &'static str {
    lang.pick(
        "This station's name (kept with each form keyed here; Enter: none): ",
        "本工作站名称（随本机录入的每张表保存；直接回车：不命名）：",
    )
}

/// The message once the meeting's database answers again.
pub fn back_online() -> Text {
    Text::new("the meeting database answers again", "会议数据库已恢复连接")
}

/// The status bar's last save.
pub fn last_saved(lang: Lang, serial: u64, ago: Duration) -> String {
    let minutes = ago.as_secs() / 60;
    match (lang, minutes) {
        (Lang::En, 0) => format!("saved #{serial}"),
        (Lang::En, m) => format!("saved #{serial} {m}m ago"),
        (Lang::Zh, 0) => format!("已存 #{serial}"),
        (Lang::Zh, m) => format!("{m}分钟前存 #{serial}"),
    }
}

/// The loud line of a void round: the meeting's words for it, and the key that corrects it.
pub fn void_banner(lang: Lang, collected: u64, issued: u64) -> String {
    let text = crate::meeting::lifecycle::void_round_text(collected, issued);
    let hint = lang.pick("(i corrects the number)", "（i 更正发出数）");
    format!("{} {hint}", text.get(lang))
}

/// The line after the last place of a tier.
pub fn cutoff_line(lang: Lang, tier: &str, place: usize) -> String {
    match lang {
        Lang::En => format!("── {tier} ends at place {place} ──"),
        Lang::Zh => format!("── {tier}至第 {place} 名 ──"),
    }
}

/// The note of a row tied across a cutoff: the tiers its tie touches and the key that
/// decides it.
pub fn tie_note_with_key(lang: Lang, tiers: &[&str]) -> String {
    match lang {
        Lang::En => format!("tie: {}? d decides", tiers.join("/")),
        Lang::Zh => format!("并列：{}？按 d 裁定", tiers.join("/")),
    }
}

/// The note of a row tied across a cutoff whose decision lapsed: the tiers its tie touches
/// and the key that decides it anew.
pub fn lapsed_tie_note_with_key(lang: Lang, tiers: &[&str]) -> String {
    match lang {
        Lang::En => format!("lapsed: {}? d decides", tiers.join("/")),
        Lang::Zh => format!("裁定失效：{}？按 d 裁定", tiers.join("/")),
    }
}

/// The question before a decision is recorded.
pub fn ask_decide_reason(lang: Lang, tier: &str, ids: &[String]) -> String {
    let ids = ids.join(", ");
    match lang {
        Lang::En => format!("{ids} take {tier}: why? (kept in the audit log)"),
        Lang::Zh => format!("{ids} 列入{tier}：原因？（记入审计日志）"),
    }
}

/// The question before the decisions of a tier are withdrawn.
pub fn ask_undecide_reason(lang: Lang, tier: &str) -> String {
    match lang {
        Lang::En => format!("Withdraw the decision of {tier}: why? (kept in the audit log)"),
        Lang::Zh => format!("撤销“{tier}”的裁定：原因？（记入审计日志）"),
    }
}

/// Decisions withdrawn.
pub fn undecided(tier: &Text, count: usize) -> Text {
    both(|lang| match lang {
        Lang::En if count == 1 => format!("decision of {} withdrawn (audited)", tier.get(lang)),
        Lang::En => format!(
            "{count} decisions withdrawn, from {} on (audited)",
            tier.get(lang)
        ),
        Lang::Zh => format!(
            "已撤销“{}”起的 {count} 项裁定（记入审计日志）",
            tier.get(lang)
        ),
    })
}

/// A decision recorded.
pub fn decided(tier: &Text, ids: &[String]) -> Text {
    let ids = ids.join(", ");
    both(|lang| match lang {
        Lang::En => format!("decided: {ids} take {} (audited)", tier.get(lang)),
        Lang::Zh => format!("已裁定：{ids} 列入{}（记入审计日志）", tier.get(lang)),
    })
}

/// The help overlay's title.
pub fn help_title(lang: Lang, tab: &str) -> String {
    match lang {
        Lang::En => format!(" Keys: {tab} (? or Esc closes) "),
        Lang::Zh => format!(" 按键：{tab}（? 或 Esc 关闭） "),
    }
}

/// The spinner line of an import: forms read so far, the rate and the time taken.
pub fn importing(
    lang: Lang,
    path: &Path,
    dry_run: bool,
    spinner: char,
    forms: u64,
    elapsed: Duration,
) -> String {
    let path = path.display();
    // A floor on the time keeps the first frame (a few microseconds in) from dividing by zero.
    let rate = (forms as f64 / elapsed.as_secs_f64().max(1e-3)).round() as u64;
    let secs = elapsed.as_secs();
    match (lang, dry_run) {
        (Lang::En, true) => {
            let forms = count_en(forms, "form", "forms");
            format!("{spinner} reading {path} (dry run): {forms}, {rate} forms/s, {secs} s")
        }
        (Lang::En, false) => {
            let forms = count_en(forms, "form", "forms");
            format!("{spinner} importing {path}: {forms}, {rate} forms/s, {secs} s")
        }
        (Lang::Zh, true) => format!(
            "{spinner} 正在读取 {path}（试运行）：{forms} 份，每秒 {rate} 份，已用 {secs} 秒"
        ),
        (Lang::Zh, false) => {
            format!("{spinner} 正在导入 {path}：{forms} 份，每秒 {rate} 份，已用 {secs} 秒")
        }
    }
}

/// A dry run that found no problem.
pub fn preview_ready(forms: u64) -> Text {
    both(|lang| match lang {
        Lang::En => format!(
            "preview: {} can be imported; Enter imports {}",
            count_en(forms, "form", "forms"),
            if forms == 1 { "it" } else { "them" }
        ),
        Lang::Zh => format!("预览：可导入 {forms} 份；回车导入"),
    })
}

/// The first line of a preview.
pub fn preview_summary(lang: Lang, path: &Path, report: &ImportReport) -> String {
    let path = path.display();
    match lang {
        Lang::En => format!(
            "{path}: {}, {} valid, {} invalid, {} (dry run, nothing changed)",
            count_en(report.forms, "form", "forms"),
            report.valid,
            report.invalid,
            count_en(report.spoiled_marks, "spoiled mark", "spoiled marks")
        ),
        Lang::Zh => format!(
            "{path}：{} 份，有效 {}，无效 {}，无效标记 {} 个（试运行，未做修改）",
            report.forms, report.valid, report.invalid, report.spoiled_marks
        ),
    }
}

/// An import done.
pub fn imported(forms: u64, file: &str) -> Text {
    both(|lang| match lang {
        Lang::En => format!("imported {} from {file}", count_en(forms, "form", "forms")),
        Lang::Zh => format!("已从 {file} 导入 {forms} 份"),
    })
}

/// A file refused.
pub fn problems_found(count: usize) -> Text {
    both(|lang| match lang {
        Lang::En => format!(
            "the file has {}: nothing imported",
            count_en(count, "problem", "problems")
        ),
        Lang::Zh => format!("文件有 {count} 个问题：未导入"),
    })
}

/// A map proposed for a file that does not match: how to use it.
pub fn map_proposed(lang: Lang, map_path: &Path, works: bool) -> String {
    let map = map_path.display();
    match (lang, works) {
        (Lang::En, true) => {
            format!("A map is proposed: Enter saves it as {map} and previews the import with it")
        }
        (Lang::En, false) => format!(
            "A map is proposed (not yet enough): Enter saves it as {map} for you to finish and previews with it"
        ),
        (Lang::Zh, true) => format!("已提议映射：回车将其保存为 {map} 并按它预览导入"),
        (Lang::Zh, false) => {
            format!("已提议映射（尚不完整）：回车将其保存为 {map} 供您补全，并按它预览")
        }
    }
}

/// The count of problems not listed beside a proposed map.
pub fn more_problems(lang: Lang, rest: usize) -> String {
    match lang {
        Lang::En if rest == 1 => "... and 1 more problem".to_string(),
        Lang::En => format!("... and {rest} more problems"),
        Lang::Zh => format!("……另有 {rest} 个问题"),
    }
}

/// A proposed map saved beside its file.
pub fn map_saved(path: &Path) -> Text {
    let path = path.display();
    both(|lang| match lang {
        Lang::En => format!("map saved as {path}; previewing the import with it"),
        Lang::Zh => format!("映射已保存为 {path}；正按它预览导入"),
    })
}

/// A map already beside the file, kept in place of the proposal.
pub fn map_kept(path: &Path) -> Text {
    let path = path.display();
    both(|lang| match lang {
        Lang::En => {
            format!("{path} exists already: kept (it may hold your edits) and previewed with")
        }
        Lang::Zh => format!("{path} 已存在：保留它（可能含有您的修改）并按它预览"),
    })
}

/// The first line of a problems list.
pub fn problems_in(lang: Lang, path: &Path, count: usize) -> String {
    let path = path.display();
    match lang {
        Lang::En => format!(
            "{path}: {}, nothing imported:",
            count_en(count, "problem", "problems")
        ),
        Lang::Zh => format!("{path}：{count} 个问题，未导入："),
    }
}

/// A file written.
pub fn written(what: S, path: &Path) -> Text {
    both(|lang| format!("{}{}", label(lang, what), path.display()))
}

/// Where a ballot came from, as the store records it.
pub fn source(lang: Lang, source: &str) -> String {
    match (lang, source) {
        (Lang::En, other) => other.to_string(),
        (Lang::Zh, "typed") => "录入".into(),
        (Lang::Zh, "import") => "导入".into(),
        (Lang::Zh, "demo") => "演示".into(),
        (Lang::Zh, other) => other.to_string(),
    }
}

/// The Tally tab's line saying whose forms are counted: all, or one voter group's.
/// The header of the top rate: `Top`, or in Chinese the share of the first option by its
/// label (`"好"得票率`), as a tally sheet words it.
pub fn top_rate_header(lang: Lang, scale: &Scale) -> String {
    match lang {
        Lang::En => "Top".to_string(),
        Lang::Zh => scale.top_rate_zh(),
    }
}

pub fn tally_scope(lang: Lang, group: Option<(&str, &str)>, scoring: &Scoring) -> String {
    let mut scope = match (group, lang) {
        (None, _) if scoring.weighting == Weighting::GroupShare => lang
            .pick(
                "all forms, each group by its share",
                "全部评议表（各组按比重）",
            )
            .to_string(),
        (None, _) => S::AllGroups.get(lang).to_string(),
        (Some((id, label)), Lang::En) => format!("voter group {id}: {label} (g: next group)"),
        (Some((id, label)), Lang::Zh) => format!("投票人组别 {id}：{label}（g：下一组别）"),
    };
    // The rates' base is said wherever it is not the marks that rate.
    match (scoring.rate_base, group) {
        (RateBase::Rated, _) => {}
        (RateBase::Present, Some(_)) => scope.push_str(lang.pick(
            " · no rates per group over the people present",
            "；实到人数不分组，无分组比率",
        )),
        (base, _) => scope.push_str(&match lang {
            Lang::En => format!(" · rates over {}", base.text(lang)),
            Lang::Zh => format!("；比率分母：{}", base.text(lang)),
        }),
    }
    scope
}

/// The Ballots list's cell of a ballot that left the count, with the clerk's reason.
pub fn removed(lang: Lang, withdrawn: bool, reason: &str) -> String {
    let what = match (withdrawn, lang) {
        (true, Lang::En) => "withdrawn",
        (true, Lang::Zh) => "已撤回",
        (false, Lang::En) => "set aside",
        (false, Lang::Zh) => "已作废",
    };
    format!("{what}: {reason}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_cuts_at_a_cell_width_with_an_ellipsis() {
        assert_eq!(shorten("Meeting", 7), "Meeting");
        assert_eq!(shorten("Meeting", 5), "Meet…");
        // 长兴镇 is six cells: five leave room for 长兴 and the ellipsis.
        assert_eq!(shorten("长兴镇", 6), "长兴镇");
        assert_eq!(shorten("长兴镇", 5), "长兴…");
        assert_eq!(shorten("长兴镇", 4), "长…");
        assert_eq!(shorten("长兴镇", 1), "…");
        assert_eq!(shorten("长兴镇", 0), "");
    }
}
