/**
 * The most common passwords: the first 1,975 lines (those in its first 16 kB) of SecLists' "10k-most-common" list
 * (Passwords/Common-Credentials, MIT licence, by Daniel Miessler and contributors), lower-case,
 * keeping those of four characters or more with a letter in them (1869 words). Numbers
 * alone and shorter words are caught by the rules in password-policy.ts instead. A password is
 * compared after those rules strip what people add around a common word (digits, symbols, l33t).
 */
const WORDS = `
password qwerty dragon pussy baseball football letmein monkey abc123 mustang michael shadow
master jennifer jordan superman harley fuckme hunter fuckyou trustno1 ranger buster thomas
tigger robert soccer fuck batman test pass killer hockey george charlie andrew michelle love
sunshine jessica asshole pepper daniel access joshua maggie starwars silver william dallas
yankees ashley hello amanda orange biteme freedom computer sexy thunder nicole ginger heather
hammer summer corvette taylor fucker austin merlin matthew golfer cheese princess martin chelsea
patrick richard diamond yellow bigdog secret asdfgh sparky cowboy camaro anthony matrix falcon
iloveyou bailey guitar jackson purple scooter phoenix aaaaaa morgan tigers porsche mickey
maverick cookie nascar peanut justin money horny samantha panties steelers joseph snoopy boomer
whatever iceman smokey gateway dakota cowboys eagles chicken dick black zxcvbn please andrea
ferrari knight hardcore melissa compaq coffee booboo bitch johnny bulldog xxxxxx welcome james
player ncc1701 wizard scooby charles junior internet bigdick mike brandy tennis blowjob banana
monster spider lakers miller rabbit enter mercedes brandon steven fender john yamaha diablo
chris boston tiger marine chicago rangers gandalf winter bigtits barney edward raiders porn
badboy blowme spanky bigdaddy johnson chester london midnight blue fishing hannah slayer rachel
sexsex redsox thx1138 asdf marlboro panther zxcvbnm arsenal oliver qazwsx mother victoria jasper
angel david winner crystal golden butthead viking jack iwantu shannon murphy angels prince
cameron girls madison wilson carlos hooters willie startrek captain maddog jasmine butter booger
angela golf lauren rocket tiffany theman dennis liverpoo flower forever green jackie muffin
turtle sophie danielle redskins toyota jason sierra winston debbie giants packers newyork jeremy
casper bubba sandra lovers mountain united cooper driver tucker helpme fucking pookie lucky
maxwell bear suckit gators shithead fuckoff jaguar monica fred happy hotdog tits gemini lover
xxxxxxxx canada nathan victor florida nicholas rosebud metallic doctor trouble success stupid
tomcat warrior peaches apples fish qwertyui magic buddy dolphins rainbow gunner freddy alexis
braves cock cocacola xavier dolphin testing bond007 member calvin voodoo samson alex apollo fire
tester walter beavis voyager peter porno bonnie rush2112 beer apple scorpio jonathan skippy
sydney scott red123 power gordon travis beaver star jackass flyers boobs zzzzzz steve rebecca
scorpion doggie legend ou812 yankee blazer bill runner birdie bitches parker topgun asdfasdf
heaven viper animal bigboy arthur baby private godzilla donald williams lifehack phantom dave
rock august sammy cool brian platinum jake bronco paul mark frank heka6w2 copper billy cumshot
garfield willow cunt little carter slut albert kitten super jordan23 eagle1 shelby america
jessie house free chevy bullshit white broncos horney surfer nissan saturn airborne elephant
marvin shit action adidas qwert kevin explorer walker police christin december benjamin wolf
sweet therock king online dickhead brooklyn teresa cricket sharon dexter racing penis gregory
teens redwings dreams michigan hentai magnum nothing donkey trinity digital stella cartman
guinness 123abc speedy buffalo kitty pimpin eagle einstein kelly nelson nirvana vampire xxxx
playboy louise pumpkin snowball test123 girl sucker mexico beatles fantasy ford gibson celtic
marcus cherry cassie natasha sniper chance genesis hotrod reddog alexande college jester
passw0rd bigcock smith lasvegas carmen slipknot death kimberly 1q2w3e eclipse 1q2w3e4r stanley
samuel drummer homer montana music aaaa spencer jimmy carolina colorado creative hello1 rocky
goober friday bollocks scotty abcdef bubbles hawaii fluffy mine stephen horses thumper pussies
darkness asdfghjk pamela boobies buddha vanessa sandman naughty douglas honda matt azerty shorty
money1 beach loveme simple poohbear badass destiny sarah denise vikings lizard melanie assman
sabrina nintendo water good howard time 123qwe november xxxxx october leather bastard young
extreme hard password1 vincent pussy1 lacrosse hotmail spooky amateur alaska badger paradise
maryjane poop crazy mozart video russell vagina spitfire anderson norman eric cherokee cougar
barbara long family horse enigma allison raider brazil blonde jones dude drowssap jeff school
marshall lovely 1qaz2wsx jeffrey caroline franklin booty molly snickers leslie nipples courtney
diesel rocks eminem westside suzuki daddy passion hummer ladies zachary frankie elvis reggie
alpha suckme simpson patricia pirate tommy semperfi jupiter redrum freeuser wanker stinky ducati
paris natalie babygirl bishop windows spirit pantera monday patches brutus houston smooth
penguin marley forest cream flash maximus nipple bobby bradley vision pokemon champion fireman
indian softball picard system clinton cobra enjoy lucky1 claire claudia boogie timothy marines
security dirty admin wildcats pimp dancer hardon veronica fucked abcd1234 abcdefg ironman
wolverin remember great freepass bigred squirt justice francis hobbes kermit pearljam mercury
domino denver brooke rascal hitman mistress simon tony bbbbbb friend peekaboo naked budlight
electric sluts stargate saints bondage brittany bigman zombie swimming duke qwerty1 babes
scotland disney rooster brenda mookie swordfis candy duncan olivia hunting blink182 alicia
samsung bubba1 whore virginia general passport aaaaaaaa erotic liberty arizona jesus abcd
newport skipper rolltide balls happy1 galore christ weasel wombat digger classic bulldogs poopoo
accord popcorn turkey jenny amber bunny mouse titanic liverpool dreamer everton friends chevelle
carrie gabriel psycho nemesis burton pontiac connor eatme lickme roland cumming mitchell ireland
lincoln arnold spiderma patriots goblue devils eugene empire asdfg cardinal brown shaggy froggy
qwer kawasaki kodiak people phpbb light kramer chopper hooker honey whynot lesbian lisa baxter
adam snake teen ncc1701d qqqqqq airplane britney avalon sandy sugar sublime stewart wildcat
raven scarface elizabet trucks wolfpack pervert lawrence raymond redhead american alyssa bambam
movie woody shaved snowman tiger1 chicks raptor stingray shooter france stars madmax kristen
sports jerry garcia simpsons lights ryan looking chronic alison hahaha packard hendrix perfect
service spring srinivas spike katie oscar brother bigmac suck single cannon georgia popeye
tattoo texas party bullet taurus sailor wolves panthers japan strike flowers pussycat chris1
loverboy berlin sticky marina tarheels fisher russia connie wolfgang testtest mature bass
catch22 juice michael1 women alpha1 trooper hawkeye head freaky dodgers pakistan machine pyramid
vegeta katana moose tinker coyote infinity inside pepsi letmein1 bang control hercules morris
james1 tickle outlaw browns billybob pickle test1 michele antonio sucks pavilion changeme caesar
prelude tanner adrian darkside bowling wutang sunset robbie alabama danger zeppelin juan rusty
pppppp nick ping darkstar madonna qwe123 bigone casino cheryl charlie1 mmmmmm integra wrangler
apache tweety qwerty12 bobafett simone none business sterling trevor transam dustin harvey
england seattle ssssss rose harry openup pandora pussys trucker wallace indigo storm malibu weed
review babydoll doggy dilbert pegasus joker catfish flipper valerie herman fuckit detroit
kenneth cheyenne bruins stacey smoke joey seven marino fetish xfiles wonder stinger pizza babe
pretty stealth manutd gracie gundam cessna longhorn presario mnbvcxz wicked mustang1 victory
shelly awesome athena q1w2e3r4 help holiday knicks street redneck casey gizmo scully dragon1
devildog triumph eddie bluebird shotgun peewee ronnie angel1 daisy special metallica madman
country impala lennon roscoe omega access14 enterpri miranda search smitty blizzard unicorn
tight rick ronald asdf1234 harrison trigger truck danny home winnie beauty thailand cadillac
castle tyler bobcat buddy1 sunny stones asian freddie chuck butt loveyou norton hellfire hotsex
indiana short panzer lonewolf trumpet colors blaster fireball logan precious aaron elaine jungle
atlanta gold corona curtis nikki polaris timber theone baller chipper orlando island skyline
dragons dogs benson licker goldie engineer kong pencil basketba open hornet world linda barbie
chan farmer valentin wetpussy indians larry redman foobar travel morpheus bernie target hotstuff
photos laura savage holly rocky1 fuck_inside dollar turbo design newton hottie moon blondes
lestat avatar future goforit random abgrtyu jjjjjj cancer q1w2e3 smiley goldberg express virgin
zipper wrinkle1 stone andy babylon dong powers consumer dudley monkey1 serenity samurai bigboobs
skeeter lindsay joejoe master1 aaaaa chocolat christia birthday stephani tang 1234qwer alfred
ball maria sexual maxima sampson buckeye highland kristin seminole reaper bassman nugget lucifer
airforce nasty watson warlock philip always dodge chrissy burger bird snatch missy pink gang
maddie holmes huskers piglet photo joanne hamilton dodger paladin christy chubby buckeyes hamlet
abcdefgh bigfoot sunday manson goldfish garden deftones icecream blondie spartan julie harold
charger brandi stormy sherry pleasure juventus rodney galaxy holland escort zxcvb planet jerome
wesley blues song peace david1 ncc1701e cavalier gambit karen sidney ripper oicu812 jamie sister
marie martha nylons aardvark nadine minnie whiskey bing plastic anal babylon5 chang savannah
loser racecar insane yankees1 mememe hansolo chiefs fredfred freak frog salmon concrete yvonne
zxcv shamrock atlantis warren wordpass julian mariah rommel harris predator sylvia massive cats
sammy1 mister stud marathon rubber ding trunks desire montreal justme faster kathleen irish
bertha jessica1 alpine sammie diamonds tristan swinger shan stallion pitbull letmein2 roberto
ready april palmer ming shadow1 audrey chong clitoris wang shirley fuckers jackoff bluesky
sundance renegade hollywoo bernard wolfman soldier picture pierre ling goddess manager nikita
sweety titans hang fang ficken niners bottom bubble hello123 ibanez webster sweetpea stocking
tornado lindsey content bruce buck aragorn griffin chen campbell trojan christop newman wayne
tina rockstar father geronimo pascal crimson brooks hector penny anna google camera chandler
fatcat lovelove cody cunts waters stimpy finger cindy wheels viper1 latin robin greenday
creampie brendan hiphop willy snapper funtime duck trombone adult cotton cookies kaiser mulder
westham latino jeep ravens aurora drizzt madness energy kinky sophia stefan slick rocker freeman
french mongoose speed dddddd hong henry hungry yang catdog cheng ghost gogogo randy tottenha
curious butterfl mission january singer sherman shark techno lancer lalala autumn chichi orion
trixie clifford delta bobbob bomber holden kang kiss spunky liquid mary beagle granny network
bond kkkkkk millie biggie beetle teacher susan toronto anakin genius dream cocks dang bush
karate snakes bangkok callie fuckyou2 pacific daytona kelsey infantry skywalke foster felix
sailing raistlin vanhalen huang herbert jacob blackie tarzan strider sherlock lang gong sang
dietcoke ultimate tree shai sprite ting artist chai chao devil python ninja misty ytrewq sweetie
superfly tian jing jesus1 freedom1 dian drpepper potter chou darren hobbit violet yong shen
phillip maurice gloria nolimit mylove biscuit yahoo shasta sex4me smoker smile pebbles pics
philly tong tintin lesbians marlin cactus frank1 tttttt chun danni emerald showme pirates lian
dogg colleen xiao xian tazman tanker patton toshiba richie alberto gotcha graham dillon rang
emily keng jazz bigguy yuan woman tomtom marion greg chaos fossil flight racerx tuan creamy boss
bobo musicman warcraft window blade shuang sheila shun lick jian microsoft rong allen feng
getsome sally quality kennedy morrison beng wwwwww yoyoyo zhang seng teddy joanna andreas harder
luke qazxsw qian cong chuan deng nang boeing keeper western isabelle subaru sheng thuglife teng
jiong miao martina mang maniac pussie tracey a1b2c3 clayton zhou zhuang xing stonecol snow
spyder liang jiang memphis regina ceng magic1 logitech chuang dark million blow sesame shao
poison titty terry kuan kuai kyle mian guan hamster guai ferret florence geng duan pang maiden
quan velvet nong neng nookie buttons bian bingo biao zhong zeng xiong zhun ying zong xuan zang
suan shei shui sharks shang shua small peng pian piao liao meng miami reng guang cang change
ruan diao luan lucas qing chui chuo cuan nuan ning heng huan kansas muscle monroe weng whitney
1passwor bluemoon zhui zhua xiang zheng zhen zhei zhao zhan yomama zhai zhuo zuan tarheel shou
shuo tiao lady leonard leng kuang jiao basket qiao qiong qiang chuai nian niao niang huai bianca
zhuan zhuai shuan shuai stardust jumper margaret archie charlott forget qwertz bones history
milton waterloo stuff office oldman preston trains murray vertigo black1 swallow smiles standard
alexandr parrot luther user nicolas surfing pioneer pete masters apple1 asdasd auburn hannibal
frontier panama lucy buffy brianna welcome1 vette blue22 shemale baggins groovy global turner
blades spanking life byteme lobster collins dawg hilton japanese polo markus coco deedee mikey
strip jersey green1 capital sasha sadie putter vader seven7
`;

export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(WORDS.split(/\s+/).filter((word) => word !== ''));
